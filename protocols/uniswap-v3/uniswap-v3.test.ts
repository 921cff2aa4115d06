// uniswap-v3: param rules, ABI agreement with the published artifacts, fee-tier choice, path packing and the calls built, on the devnet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createPublicClient,
  custom,
  decodeFunctionData,
  formatUnits,
  isAddressEqual,
  parseEther,
  parseUnits,
  toFunctionSelector,
  type Abi,
  type AbiFunction,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem'
import { uniswapV3Artifact, type UniswapV3Contract } from '../../src/devnet/devnet-uniswap-v3.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { createManualClock, devnetContext } from '../../test/devnet/harness.ts'
import { AdapterPreconditionError } from '../shared/errors.ts'
import { parseAdapterParams } from '../registry.ts'
import { quoterV2Abi, ROUTER_ADDRESS_THIS, swapRouter02Abi, v3FactoryAbi } from './abi.ts'
import { packPath, quoteUniswapV3, uniswapV3Adapter, type UniswapV3Params } from './index.ts'

let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayer: false })
})
afterAll(async () => {
  await devnet?.stop()
})

/** Parses with the devnet's book, so token-unit amounts ("3000" DAI) are converted as the registry does at run time. */
const parse = (raw: Record<string, unknown>) =>
  parseAdapterParams(uniswapV3Adapter, raw, devnet.book) as UniswapV3Params
const base = { chainId: 1, tokenIn: 'ETH', tokenOut: 'USDC', amountIn: '5 wei', slippageBps: 10 }
/** Each function as selector + mutability + output types: what must match the artifact for calls and decoding to be right. */
const shapes = (abi: Abi) =>
  abi
    .filter((x): x is AbiFunction => x.type === 'function')
    .map((f) => `${toFunctionSelector(f)} ${f.stateMutability} -> ${JSON.stringify(f.outputs.map((o) => o.type))}`)

describe('uniswap-v3 params', () => {
  it('defaults the deadline and path, and refuses unknown fee tiers, fee/hop mismatches and self-swaps', () => {
    expect(parse(base)).toMatchObject({ deadlineSeconds: 600, via: [] })
    expect(parse(base).fee).toBeUndefined()
    expect(parse({ ...base, fee: 500 }).fee).toBe(500)
    expect(parse({ ...base, via: ['DAI'], fee: [100, 500] }).fee).toEqual([100, 500])
    expect(() => parse({ ...base, fee: 2500 })).toThrow(/fee: must be a Uniswap V3 fee tier: 100, 500, 3000, 10000/)
    expect(() => parse({ ...base, via: ['DAI'], fee: [100, 2500] })).toThrow(/fee\.1: must be a Uniswap V3 fee tier/)
    expect(() => parse({ ...base, via: ['DAI'], fee: 500 })).toThrow(/fee: a 2-hop path needs one fee tier per hop/)
    expect(() => parse({ ...base, via: ['DAI'], fee: [500] })).toThrow(/fee: 1 fee tiers for a 2-hop path/)
    expect(() => parse({ ...base, tokenOut: 'ETH' })).toThrow(/tokenOut: tokenIn and tokenOut must differ/)
    expect(() => parse({ ...base, tokenOut: 'WETH' })).toThrow(/tokenOut: hop 1 swaps WETH for itself/)
    expect(() => parse({ ...base, via: ['ETH'] })).toThrow(/via: intermediate tokens are ERC-20s/)
    expect(() => parse({ ...base, via: ['A', 'B', 'C'] })).toThrow(/via/)
    expect(() => parse({ ...base, slippageBps: 0 })).toThrow(/slippageBps/)
  })

  it('reads amountIn in tokenIn\'s units; base units only as "N wei"; bare numbers refused', () => {
    const L1 = devnet.l1.chainId
    expect(parse({ ...base, chainId: L1, amountIn: '0.2' }).amountIn).toBe(parseEther('0.2'))
    expect(parse({ ...base, chainId: L1, tokenIn: 'USDC', tokenOut: 'ETH', amountIn: '500' }).amountIn).toBe(
      parseUnits('500', 6),
    )
    expect(parse({ ...base, chainId: L1, tokenIn: 'USDC', tokenOut: 'ETH', amountIn: '500 wei' }).amountIn).toBe(500n)
    expect(() => parse({ ...base, chainId: L1, amountIn: 500 })).toThrow(/amountIn: bare numbers are refused/)
    expect(() => parse({ ...base, chainId: L1, tokenIn: 'USDC', tokenOut: 'ETH', amountIn: '0.0000001' })).toThrow(
      /amountIn: .*USDC has 6/,
    )
  })

  it('packs the path as token, uint24 fee, token', () => {
    const a = '0x1111111111111111111111111111111111111111'
    const b = '0x2222222222222222222222222222222222222222'
    expect(packPath([a, b], [3000])).toBe(`${a}000bb8${b.slice(2)}`)
  })
})

describe('uniswap-v3 ABI', () => {
  it('every function the adapter encodes exists with the same selector, mutability and outputs in the published artifact', () => {
    const check = (mine: Abi, name: UniswapV3Contract) =>
      expect(shapes(uniswapV3Artifact(name).abi), name).toEqual(expect.arrayContaining(shapes(mine)))
    check(v3FactoryAbi, 'UniswapV3Factory')
    check(quoterV2Abi, 'QuoterV2')
    check(swapRouter02Abi.filter((x) => x.type === 'function') as Abi, 'SwapRouter02')
  })
})

describe('uniswap-v3 calls on the devnet', () => {
  const L1 = () => devnet.l1.chainId

  it('picks the fee tier with the best quote and wraps ETH in a deadline-checked multicall', async () => {
    const wallet = devnet.accounts[1]!.address
    const clock = createManualClock(1_900_000_000_000)
    const ctx = devnetContext(devnet, wallet, { clock })
    const p = parse({ ...base, chainId: L1(), amountIn: '10', slippageBps: 100, deadlineSeconds: 120 })
    const q = await quoteUniswapV3(ctx, p)
    const byTier = Object.fromEntries(q.candidates.map((c) => [c.fees.join('/'), c.amountOut]))
    expect(Object.keys(byTier).sort()).toEqual(['3000', '500']) // the deployed WETH/USDC tiers only
    expect(byTier['500']!).toBeGreaterThan(byTier['3000']!) // deeper pool, lower fee
    expect(q.fees).toEqual([500])
    expect(q.amountOut).toBe(byTier['500'])
    const calls = await uniswapV3Adapter.buildCalls(ctx, p)
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ to: devnet.addresses.l1.uniswapV3!.swapRouter02, value: parseEther('10') })
    expect(calls[0]!.label).toBe(
      `swap 10 ETH for >= ${formatUnits(q.minOut, 6)} USDC (quote ${formatUnits(q.amountOut, 6)} USDC = ${q.amountOut} wei) on Uniswap V3 ETH->USDC fee 500`,
    )
    const outer = decodeFunctionData({ abi: swapRouter02Abi, data: calls[0]!.data })
    expect(outer.functionName).toBe('multicall')
    const [deadline, inner] = outer.args as [bigint, Hex[]]
    expect(deadline).toBe(1_900_000_120n)
    const decoded = inner.map((d) => decodeFunctionData({ abi: swapRouter02Abi, data: d }))
    expect(decoded.map((d) => d.functionName)).toEqual(['exactInputSingle', 'refundETH'])
    expect(decoded[0]!.args![0]).toEqual({
      tokenIn: devnet.addresses.l1.weth,
      tokenOut: devnet.addresses.l1.tokens.USDC,
      fee: 500,
      recipient: wallet,
      amountIn: parseEther('10'),
      amountOutMinimum: (q.amountOut * 9_900n) / 10_000n,
      sqrtPriceLimitX96: 0n,
    })
  })

  it('routes DAI -> ETH through USDC, approves exactly, and unwraps to the recipient', async () => {
    const lp = devnet.accounts[0]! // holds DAI
    const ctx = devnetContext(devnet, lp.address)
    const amountIn = parseUnits('3000', 18)
    const p = parse({
      chainId: L1(),
      tokenIn: 'DAI',
      tokenOut: 'ETH',
      via: ['USDC'],
      amountIn: '3000',
      slippageBps: 50,
      recipient: devnet.accounts[2]!.address,
    })
    const calls = await uniswapV3Adapter.buildCalls(ctx, p)
    expect(calls.map((c) => c.label.split(' ')[0])).toEqual(['approve', 'swap'])
    expect(calls[0]!.label).toBe('approve 3000 DAI to SwapRouter02')
    const [, inner] = decodeFunctionData({ abi: swapRouter02Abi, data: calls[1]!.data }).args as [bigint, Hex[]]
    const [swap, unwrap] = inner.map((d) => decodeFunctionData({ abi: swapRouter02Abi, data: d }))
    expect(swap!.functionName).toBe('exactInput')
    const q = await quoteUniswapV3(ctx, p)
    expect(q.fees).toEqual([100, 500])
    expect(swap!.args![0]).toMatchObject({
      path: packPath(
        [devnet.addresses.l1.tokens.DAI, devnet.addresses.l1.tokens.USDC, devnet.addresses.l1.weth],
        [100, 500],
      ),
      recipient: ROUTER_ADDRESS_THIS,
      amountIn,
    })
    expect(unwrap).toMatchObject({ functionName: 'unwrapWETH9', args: [q.minOut, devnet.accounts[2]!.address] })
    expect(calls[1]!.value).toBe(0n)
  })

  it('an RPC failure while quoting propagates as itself, not as a non-retryable "no quote"', async () => {
    const quoter = devnet.addresses.l1.uniswapV3!.quoterV2
    const ctx = devnetContext(devnet, devnet.accounts[1]!.address)
    // Every read goes to the devnet except eth_call to the quoter, which fails like a dropped connection.
    const flaky = createPublicClient({
      chain: devnet.l1.chain,
      cacheTime: 0,
      transport: custom(
        {
          async request({ method, params }) {
            const to = (params as [{ to?: Address }] | undefined)?.[0]?.to
            if (method === 'eth_call' && to && isAddressEqual(to, quoter)) throw new Error('socket hang up')
            return devnet.l1.client.request({ method, params } as never)
          },
        },
        { retryCount: 0 },
      ),
    }) as PublicClient
    ctx.client = () => flaky
    const err = await quoteUniswapV3(ctx, parse({ ...base, chainId: L1() })).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(Error)
    expect(err).not.toBeInstanceOf(AdapterPreconditionError)
    expect((err as Error).message).toMatch(/socket hang up/)
  })
})
