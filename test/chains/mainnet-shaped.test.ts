// The mainnet-shaped pair carries code at the built-in book's addresses; swaps and the Base bridge work through them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createWalletClient,
  encodePacked,
  erc20Abi,
  getContractAddress,
  http,
  keccak256,
  parseAbi,
  parseEther,
  type Address,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { builtinChainData } from '../../protocols/address-book/index.ts'
import { quoterV2Abi, swapRouter02Abi } from '../../protocols/uniswap-v3/abi.ts'
import { ANVIL_TEST_KEYS, anvilRpc } from '../../src/devnet/anvil.ts'
import { uniswapArtifact } from '../../src/devnet/devnet-artifacts.ts'
import { computePoolAddress } from '../../src/devnet/devnet-uniswap-v3.ts'
import {
  startMainnetShaped,
  type MainnetShaped,
  type MainnetShapedStep,
} from '../../src/devnet/mainnet/mainnet-shaped.ts'
import { NOT_CARRIED, SHAPED_SEED } from '../../src/devnet/mainnet/shaped-chain.ts'
import type { DevnetChain } from '../../src/devnet/devnet.ts'

let m: MainnetShaped
// An extra setup step, as Aave V3's placement plugs in: it runs after the core placement and reports what it placed.
const PROBE = '0x00000000000000000000000000000000000Ab0Be' as Address
let stepSaw: { chainIds: number[]; wethCode: number } | undefined
const probeStep: MainnetShapedStep = async ({ l1, l2, book }) => {
  const wethCode = (await l1.client.getCode({ address: book[1]!.contracts.weth! }))?.length ?? 0
  stepSaw = { chainIds: [l1.chainId, l2.chainId], wethCode }
  await anvilRpc(l2.rpcUrl, 'anvil_setCode', [PROBE, '0x00'])
  return { 8453: [{ name: 'probe', address: PROBE, artifact: 'STOP' }] }
}
const user = privateKeyToAccount(ANVIL_TEST_KEYS[1])

beforeAll(async () => {
  m = await startMainnetShaped({ relayerPollMs: 50, steps: [probeStep] })
  // A figure for the report, not an assertion: timing depends on the machine.
  console.log(`mainnet-shaped setup: ${Math.round(m.setupMs)} ms`)
}, 60_000)
afterAll(async () => {
  await m?.stop()
})

const wallet = (c: DevnetChain) => createWalletClient({ account: user, chain: c.chain, transport: http(c.rpcUrl) })
const v2Abi = parseAbi([
  'function getPair(address,address) view returns (address)',
  'function swapExactETHForTokens(uint256 amountOutMin, address[] path, address to, uint256 deadline) payable returns (uint256[])',
])
const bridgeAbi = parseAbi(['function depositETH(uint32 minGasLimit, bytes extraData) payable'])
const deadline = () => BigInt(Math.floor(Date.now() / 1000) + 600)

describe('mainnet-shaped chains (1 + 8453)', () => {
  it('runs extra steps after the core placement and counts what they placed as carried', async () => {
    expect(stepSaw?.chainIds).toEqual([1, 8453])
    expect(stepSaw?.wethCode).toBeGreaterThan(2)
    expect(m.carried[8453]!.map((e) => e.name)).toContain('probe')
    expect(await m.l2.client.getCode({ address: PROBE })).toBe('0x00')
  })

  it('answers with the real chain ids', async () => {
    expect(await m.l1.client.getChainId()).toBe(1)
    expect(await m.l2.client.getChainId()).toBe(8453)
  })

  it('has code at every book address it carries; the rest is listed with a reason and is empty', async () => {
    for (const c of [m.l1, m.l2]) {
      const data = builtinChainData(c.chainId)!
      const entries: [string, string][] = [
        ...Object.entries(data.tokens).map(([k, v]) => [k, v.address] as [string, string]),
        ...Object.entries(data.contracts).map(([k, v]) => [k, v.address] as [string, string]),
        ...Object.entries(data.priceFeeds).map(([k, v]) => [`priceFeeds.${k}`, v.address] as [string, string]),
      ]
      const carried = new Set(m.carried[c.chainId]!.map((e) => e.name))
      for (const [name, address] of entries) {
        const code = await c.client.getCode({ address: address as Address })
        // What the chain claims to carry has code; anything else must be listed, with a reason, and be empty.
        if (carried.has(name)) {
          expect((code ?? '0x').length, `${c.chainId} ${name} has code`).toBeGreaterThan(2)
        } else {
          expect(NOT_CARRIED[name], `${c.chainId} ${name} is neither carried nor listed as not carried`).toBeDefined()
          expect(code ?? '0x', `${c.chainId} ${name} is not carried`).toBe('0x')
        }
      }
    }
  })

  it('Multicall3 at its canonical address batches reads (aggregate3) on both chains', async () => {
    for (const c of [m.l1, m.l2]) {
      const book = m.book[c.chainId]!
      const [decimals, symbol] = await c.client.multicall({
        multicallAddress: book.contracts.multicall3!,
        allowFailure: false,
        contracts: [
          { address: book.tokens.USDC!.address, abi: erc20Abi, functionName: 'decimals' },
          { address: book.tokens.WETH!.address, abi: erc20Abi, functionName: 'symbol' },
        ],
      })
      expect([decimals, symbol], String(c.chainId)).toEqual([6, 'WETH'])
    }
  })

  it('tokens have the book decimals; the V2 pair sits at the CREATE2 address of the canonical factory', async () => {
    for (const c of [m.l1, m.l2]) {
      const book = m.book[c.chainId]!
      for (const t of Object.values(book.tokens)) {
        const d = await c.client.readContract({ address: t.address, abi: erc20Abi, functionName: 'decimals' })
        expect(d, `${c.chainId} ${t.symbol}`).toBe(t.decimals)
      }
      const [weth, usdc, factory] = [
        book.tokens.WETH!.address,
        book.tokens.USDC!.address,
        book.contracts.uniswapV2Factory!,
      ]
      const pair = await c.client.readContract({
        address: factory,
        abi: v2Abi,
        functionName: 'getPair',
        args: [weth, usdc],
      })
      const [t0, t1] = BigInt(weth) < BigInt(usdc) ? [weth, usdc] : [usdc, weth]
      const expected = getContractAddress({
        opcode: 'CREATE2',
        from: factory,
        salt: keccak256(encodePacked(['address', 'address'], [t0, t1])),
        bytecodeHash: keccak256(uniswapArtifact('UniswapV2Pair').bytecode),
      })
      expect(pair).toBe(expected)
      expect(
        await c.client.readContract({ address: usdc, abi: erc20Abi, functionName: 'balanceOf', args: [pair] }),
      ).toBe(SHAPED_SEED.v2Usdc)
    }
  })

  it('swaps ETH for USDC through the canonical Uniswap V2 Router02 on Ethereum', async () => {
    const b = m.book[1]!
    const usdc = b.tokens.USDC!.address
    const before = await m.l1.client.readContract({
      address: usdc,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [user.address],
    })
    const hash = await wallet(m.l1).writeContract({
      address: b.contracts.uniswapV2Router02!,
      abi: v2Abi,
      functionName: 'swapExactETHForTokens',
      args: [1n, [b.tokens.WETH!.address, usdc], user.address, deadline()],
      value: parseEther('1'),
    })
    expect((await m.l1.client.waitForTransactionReceipt({ hash })).status).toBe('success')
    const got =
      (await m.l1.client.readContract({
        address: usdc,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [user.address],
      })) - before
    // 1 ETH into 1000 ETH / 3,000,000 USDC at 0.3 % fee: a little under 3000 USDC.
    expect(got).toBeGreaterThan(2_950_000_000n)
    expect(got).toBeLessThan(3_000_000_000n)
  })

  it('quotes on Base QuoterV2 and swaps through SwapRouter02 at the canonical V3 pool', async () => {
    const b = m.book[8453]!
    const [weth, usdc] = [b.tokens.WETH!.address, b.tokens.USDC!.address]
    const pool = computePoolAddress(b.contracts.uniswapV3Factory!, weth, usdc, SHAPED_SEED.v3Fee)
    expect((await m.l2.client.getCode({ address: pool }))?.length ?? 0).toBeGreaterThan(2)
    const { result } = await m.l2.client.simulateContract({
      address: b.contracts.quoterV2!,
      abi: quoterV2Abi,
      functionName: 'quoteExactInput',
      args: [encodePacked(['address', 'uint24', 'address'], [weth, SHAPED_SEED.v3Fee, usdc]), parseEther('0.5')],
    })
    const quoted = result[0]
    expect(quoted).toBeGreaterThan(1_490_000_000n)
    const before = await m.l2.client.readContract({
      address: usdc,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [user.address],
    })
    const hash = await wallet(m.l2).writeContract({
      address: b.contracts.swapRouter02!,
      abi: swapRouter02Abi,
      functionName: 'exactInputSingle',
      args: [
        {
          tokenIn: weth,
          tokenOut: usdc,
          fee: SHAPED_SEED.v3Fee,
          recipient: user.address,
          amountIn: parseEther('0.5'),
          amountOutMinimum: quoted,
          sqrtPriceLimitX96: 0n,
        },
      ],
      value: parseEther('0.5'),
    })
    expect((await m.l2.client.waitForTransactionReceipt({ hash })).status).toBe('success')
    const after = await m.l2.client.readContract({
      address: usdc,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [user.address],
    })
    expect(after - before).toBe(quoted)
  })

  it('an ETH deposit into the canonical L1StandardBridge for Base arrives on Base', async () => {
    const bridge = m.book[1]!.contracts['l1StandardBridge.8453']!
    const before = await m.l2.client.getBalance({ address: user.address })
    const hash = await wallet(m.l1).writeContract({
      address: bridge,
      abi: bridgeAbi,
      functionName: 'depositETH',
      args: [200_000, '0x'],
      value: parseEther('0.25'),
    })
    expect((await m.l1.client.waitForTransactionReceipt({ hash })).status).toBe('success')
    // A tick joins a pass already running, which may have read the L1 head before the deposit: tick until a pass
    // that saw it has relayed (bounded), then check the amount.
    const arrived = async () => (await m.l2.client.getBalance({ address: user.address })) - before
    for (let i = 0; i < 20 && (await arrived()) === 0n; i++) await m.relayer!.tick()
    expect(await arrived()).toBe(parseEther('0.25'))
  })
})
