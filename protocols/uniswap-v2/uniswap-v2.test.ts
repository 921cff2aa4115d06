// uniswap-v2: param rules, deadline from the context clock, multi-hop routing and approval reset, on the devnet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createWalletClient,
  decodeFunctionData,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  http,
  maxUint256,
  parseEther,
  parseUnits,
  type Abi,
  type Address,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ownArtifact, uniswapArtifact } from '../../src/devnet/devnet-artifacts.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { createWalletExecutor } from '../../test/devnet/executor.ts'
import { createManualClock, devnetContext } from '../../test/devnet/harness.ts'
import { parseAdapterParams } from '../registry.ts'
import { erc20Abi } from '../shared/erc20-abi.ts'
import { routerAbi } from './abi.ts'
import { quoteUniswapV2, uniswapV2Adapter, type UniswapV2Params } from './index.ts'

let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayer: false })
})
afterAll(async () => {
  await devnet?.stop()
})

const parse = (raw: Record<string, unknown>) => parseAdapterParams(uniswapV2Adapter, raw) as UniswapV2Params

describe('uniswap-v2 params', () => {
  it('defaults the deadline to 600 s and refuses same-token swaps and out-of-range slippage', () => {
    expect(
      parse({ chainId: 1, tokenIn: 'ETH', tokenOut: 'USDC', amountIn: '5 wei', slippageBps: 1 }).deadlineSeconds,
    ).toBe(600)
    expect(() => parse({ chainId: 1, tokenIn: 'USDC', tokenOut: 'USDC', amountIn: '5 wei', slippageBps: 10 })).toThrow(
      /tokenOut: tokenIn and tokenOut must differ/,
    )
    expect(() => parse({ chainId: 1, tokenIn: 'ETH', tokenOut: 'USDC', amountIn: '5 wei', slippageBps: 5001 })).toThrow(
      /slippageBps/,
    )
    expect(() =>
      parse({
        chainId: 1,
        tokenIn: 'ETH',
        tokenOut: 'USDC',
        amountIn: '5 wei',
        slippageBps: 10,
        deadlineSeconds: 86_400,
      }),
    ).toThrow(/deadlineSeconds/)
  })
})

describe('uniswap-v2 calls', () => {
  it('sets the deadline from the context clock and minOut from the quote', async () => {
    const wallet = devnet.accounts[1]!.address
    const clock = createManualClock(1_900_000_000_000)
    const ctx = devnetContext(devnet, wallet, { clock })
    const p = parse({
      chainId: devnet.l1.chainId,
      tokenIn: 'ETH',
      tokenOut: 'DAI',
      amountIn: `${parseEther('2')} wei`,
      slippageBps: 100,
      deadlineSeconds: 120,
    })
    const [call] = await uniswapV2Adapter.buildCalls(ctx, p)
    const q = await quoteUniswapV2(ctx, p)
    const d = decodeFunctionData({ abi: routerAbi, data: call!.data })
    expect(d.functionName).toBe('swapExactETHForTokens')
    expect(d.args).toEqual([
      (q.amountOut * 9_900n) / 10_000n,
      [devnet.addresses.l1.weth, devnet.addresses.l1.tokens.DAI],
      wallet,
      1_900_000_120n,
    ])
    expect(call!.value).toBe(parseEther('2'))
  })

  it('routes token->token through WETH when no direct pair exists, and resets a short non-zero allowance first', async () => {
    const lp = devnet.accounts[0]!
    const exec = createWalletExecutor(devnet, lp.privateKey)
    const token = ownArtifact('TestERC20')
    // A fresh token with only a WETH pool.
    const nonce = await devnet.l1.client.getTransactionCount({ address: lp.address })
    const xyz = getContractAddress({ from: lp.address, nonce: BigInt(nonce) })
    const deployer = createWalletClient({
      account: privateKeyToAccount(lp.privateKey),
      chain: devnet.l1.chain,
      transport: http(devnet.l1.rpcUrl),
    })
    const hash = await deployer.sendTransaction({
      data: encodeDeployData({ abi: token.abi, bytecode: token.bytecode, args: ['XYZ', 'XYZ', 18] }),
    })
    await devnet.l1.client.waitForTransactionReceipt({ hash })
    const router = devnet.addresses.l1.uniswapV2Router02
    const L1 = devnet.l1.chainId
    const call = (to: Address, abi: Abi, functionName: string, args: unknown[], value = 0n) => ({
      chainId: L1,
      to,
      value,
      label: functionName,
      data: encodeFunctionData({ abi, functionName, args }),
    })
    await exec.executeCalls([
      call(xyz, token.abi, 'mint', [lp.address, parseUnits('1000', 18)]),
      call(devnet.addresses.l1.tokens.USDC, token.abi, 'mint', [lp.address, parseUnits('300', 6)]),
      call(xyz, erc20Abi, 'approve', [router, maxUint256]),
      call(
        router,
        uniswapArtifact('UniswapV2Router02').abi,
        'addLiquidityETH',
        [xyz, parseUnits('1000', 18), 0n, 0n, lp.address, 2n ** 40n],
        parseEther('10'),
      ),
      // A small existing allowance: USDT-style tokens need a reset to 0 before a new non-zero approval.
      call(devnet.addresses.l1.tokens.USDC, erc20Abi, 'approve', [router, 5n]),
    ])
    const ctx = devnetContext(devnet, lp.address)
    ctx.book = {
      ...ctx.book,
      [L1]: {
        ...ctx.book[L1]!,
        tokens: { ...ctx.book[L1]!.tokens, XYZ: { symbol: 'XYZ', address: xyz, decimals: 18 } },
      },
    }
    const p = parse({
      chainId: L1,
      tokenIn: 'USDC',
      tokenOut: 'XYZ',
      amountIn: `${parseUnits('300', 6)} wei`,
      slippageBps: 50,
    })
    const q = await quoteUniswapV2(ctx, p)
    expect(q.path).toEqual([devnet.addresses.l1.tokens.USDC, devnet.addresses.l1.weth, xyz])
    const calls = await uniswapV2Adapter.buildCalls(ctx, p)
    expect(
      calls
        .map((c) => decodeFunctionData({ abi: [...erc20Abi, ...routerAbi], data: c.data }).args?.[1] ?? null)
        .slice(0, 2),
    ).toEqual([0n, parseUnits('300', 6)])
    expect(calls.map((c) => c.label.split(' ')[0])).toEqual(['reset', 'approve', 'swap'])
    const before = await devnet.l1.client.readContract({
      address: xyz,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [lp.address],
    })
    await exec.executeCalls(calls)
    const got =
      (await devnet.l1.client.readContract({
        address: xyz,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [lp.address],
      })) - before
    expect(got).toBeGreaterThanOrEqual(q.minOut)
  })
})
