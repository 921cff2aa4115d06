// Runs every registered adapter end to end on the devnet through the transaction engine and checks balances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFunctionData, encodeFunctionData, parseEther, parseUnits, type Address, type Hex } from 'viem'
import { builtinAdapters, createDefaultRegistry, untestedAdapterIds } from '../../protocols/index.ts'
import { prepareAdapterCalls, parseAdapterParams } from '../../protocols/registry.ts'
import { quoteUniswapV2, type UniswapV2Params } from '../../protocols/uniswap-v2/index.ts'
import { quoteUniswapV3, type UniswapV3Params } from '../../protocols/uniswap-v3/index.ts'
import { computePoolAddress } from '../../src/devnet/devnet-uniswap-v3.ts'
import { aaveV3PoolAbi } from '../../protocols/aave-v3/abi.ts'
import { spokePoolAbi } from '../../protocols/across/abi.ts'
import { acrossOutputAmount, type AcrossParams } from '../../protocols/across/index.ts'
import { erc20Abi } from '../../protocols/shared/erc20-abi.ts'
import { ownArtifact } from '../../src/devnet/devnet-artifacts.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { anvilRpc } from '../../src/devnet/anvil.ts'
import { createEngineExecutor, gasCost, type CallExecutor } from './executor.ts'
import { devnetContext, erc20BalanceOf, WRITE_METHODS } from './harness.ts'
import { AdapterPreconditionError } from '../../protocols/shared/errors.ts'
import { ValidationError } from '../../src/errors/validation-error.ts'

let devnet: Devnet
let wallet: Address
let other: Address
let exec: CallExecutor
const registry = createDefaultRegistry()
/** Adapter ids exercised below; the last test fails when a registered adapter has no case here. */
const covered = new Set<string>()

beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayerPollMs: 50, aaveV3: true })
  wallet = devnet.accounts[1]!.address
  other = devnet.accounts[2]!.address
  exec = createEngineExecutor(devnet, devnet.accounts[1]!.privateKey)
  // Give the wallet test tokens (TestERC20.mint is open on the devnet).
  const mint = (token: Address, amount: bigint) => ({
    chainId: devnet.l1.chainId,
    to: token,
    value: 0n,
    label: 'mint',
    data: encodeFunctionData({
      abi: ownArtifact('TestERC20').abi,
      functionName: 'mint',
      args: [wallet, amount],
    }) as Hex,
  })
  await exec.executeCalls([
    mint(devnet.addresses.l1.tokens.USDC, parseUnits('100000', 6)),
    mint(devnet.addresses.l1.tokens.DAI, parseUnits('100000', 18)),
  ])
})
afterAll(async () => {
  await devnet?.stop()
})

/** Builds through the registry (parse + build), executes, and returns receipts. */
async function run(id: string, raw: unknown) {
  covered.add(id)
  const ctx = devnetContext(devnet, wallet)
  const { params, calls } = await prepareAdapterCalls(registry.get(id), ctx, raw)
  const receipts = await exec.executeCalls(calls)
  return { params, calls, receipts, ctx }
}

describe('uniswap-v2', () => {
  const L1 = () => devnet.l1.chainId
  it('swaps ETH -> USDC for at least the slippage-bounded quote', async () => {
    const raw = { chainId: L1(), tokenIn: 'ETH', tokenOut: 'USDC', amountIn: `${parseEther('1')} wei`, slippageBps: 50 }
    const q = await quoteUniswapV2(
      devnetContext(devnet, wallet),
      parseAdapterParams(registry.get('uniswap-v2'), raw) as UniswapV2Params,
    )
    const before = await erc20BalanceOf(devnet.l1, devnet.addresses.l1.tokens.USDC, wallet)
    const { calls } = await run('uniswap-v2', raw)
    const got = (await erc20BalanceOf(devnet.l1, devnet.addresses.l1.tokens.USDC, wallet)) - before
    expect(calls).toHaveLength(1)
    expect(got).toBeGreaterThanOrEqual(q.minOut)
    expect(got * 10_000n).toBeGreaterThanOrEqual(q.amountOut * 9_950n)
    expect(got).toBeLessThanOrEqual(q.amountOut)
    // ~3000 USDC for 1 ETH at the seeded price, minus the 0.3% fee and price impact.
    expect(got).toBeGreaterThan(parseUnits('2900', 6))
  })

  it('swaps USDC -> ETH with an exact approval first', async () => {
    const amountIn = parseUnits('3000', 6)
    const raw = { chainId: L1(), tokenIn: 'USDC', tokenOut: 'ETH', amountIn: `${amountIn} wei`, slippageBps: 100 }
    const q = await quoteUniswapV2(
      devnetContext(devnet, wallet),
      parseAdapterParams(registry.get('uniswap-v2'), raw) as UniswapV2Params,
    )
    const ethBefore = await devnet.l1.client.getBalance({ address: wallet })
    const { calls, receipts } = await run('uniswap-v2', raw)
    expect(calls.map((c) => c.label)[0]).toMatch(/^approve 3000 USDC/)
    const approve = decodeFunctionData({ abi: erc20Abi, data: calls[0]!.data })
    expect(approve.args).toEqual([devnet.addresses.l1.uniswapV2Router02, amountIn])
    const got = (await devnet.l1.client.getBalance({ address: wallet })) - ethBefore + gasCost(receipts)
    expect(got).toBeGreaterThanOrEqual(q.minOut)
    expect(got).toBeLessThanOrEqual(q.amountOut)
    // The exact approval is fully spent: nothing left for the router to pull later.
    expect(
      await devnet.l1.client.readContract({
        address: devnet.addresses.l1.tokens.USDC,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [wallet, devnet.addresses.l1.uniswapV2Router02],
      }),
    ).toBe(0n)
  })

  it('swaps USDC -> DAI through the direct pair', async () => {
    const raw = {
      chainId: L1(),
      tokenIn: 'USDC',
      tokenOut: 'DAI',
      amountIn: `${parseUnits('500', 6)} wei`,
      slippageBps: 30,
    }
    const q = await quoteUniswapV2(
      devnetContext(devnet, wallet),
      parseAdapterParams(registry.get('uniswap-v2'), raw) as UniswapV2Params,
    )
    expect(q.path).toEqual([devnet.addresses.l1.tokens.USDC, devnet.addresses.l1.tokens.DAI])
    const before = await erc20BalanceOf(devnet.l1, devnet.addresses.l1.tokens.DAI, wallet)
    await run('uniswap-v2', raw)
    const got = (await erc20BalanceOf(devnet.l1, devnet.addresses.l1.tokens.DAI, wallet)) - before
    expect(got).toBeGreaterThanOrEqual(q.minOut)
    expect(got).toBeLessThanOrEqual(q.amountOut)
  })
})

describe('uniswap-v3', () => {
  const L1 = () => devnet.l1.chainId
  const quote = (raw: unknown) =>
    quoteUniswapV3(
      devnetContext(devnet, wallet),
      parseAdapterParams(registry.get('uniswap-v3'), raw, devnet.book) as UniswapV3Params,
    )
  const pool = (a: Address, b: Address, fee: number) =>
    computePoolAddress(devnet.addresses.l1.uniswapV3!.uniswapV3Factory, a, b, fee)

  it('swaps ETH -> USDC on the best-quoted pool; the pool gains the WETH and pays out what the wallet got', async () => {
    const {
      weth,
      tokens: { USDC },
    } = devnet.addresses.l1
    const amountIn = parseEther('1')
    const raw = { chainId: L1(), tokenIn: 'ETH', tokenOut: 'USDC', amountIn: '1', slippageBps: 50 }
    const q = await quote(raw)
    expect(q.fees).toEqual([500])
    const p500 = pool(weth, USDC, 500)
    const [poolWeth, poolUsdc, mine] = await Promise.all([
      erc20BalanceOf(devnet.l1, weth, p500),
      erc20BalanceOf(devnet.l1, USDC, p500),
      erc20BalanceOf(devnet.l1, USDC, wallet),
    ])
    await run('uniswap-v3', raw)
    const got = (await erc20BalanceOf(devnet.l1, USDC, wallet)) - mine
    expect(got).toBe(q.amountOut) // nothing moved in between: the quote is exact
    expect(got).toBeGreaterThan(parseUnits('2980', 6)) // ~3000 minus the 0.05% fee and a little impact
    expect(await erc20BalanceOf(devnet.l1, weth, p500)).toBe(poolWeth + amountIn)
    expect(await erc20BalanceOf(devnet.l1, USDC, p500)).toBe(poolUsdc - got)
    expect(await devnet.l1.client.getBalance({ address: devnet.addresses.l1.uniswapV3!.swapRouter02 })).toBe(0n)
  })

  it('swaps USDC -> ETH on a given fee tier with an exact approval, unwrapping to the wallet', async () => {
    const amountIn = parseUnits('3000', 6)
    const raw = { chainId: L1(), tokenIn: 'USDC', tokenOut: 'ETH', fee: 3000, amountIn: '3000', slippageBps: 100 }
    const q = await quote(raw)
    const ethBefore = await devnet.l1.client.getBalance({ address: wallet })
    const { calls, receipts } = await run('uniswap-v3', raw)
    expect(calls[0]!.label).toBe('approve 3000 USDC to SwapRouter02')
    expect(decodeFunctionData({ abi: erc20Abi, data: calls[0]!.data }).args).toEqual([
      devnet.addresses.l1.uniswapV3!.swapRouter02,
      amountIn,
    ])
    const got = (await devnet.l1.client.getBalance({ address: wallet })) - ethBefore + gasCost(receipts)
    expect(got).toBe(q.amountOut)
    expect(got).toBeGreaterThanOrEqual(q.minOut)
    expect(
      await devnet.l1.client.readContract({
        address: devnet.addresses.l1.tokens.USDC,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [wallet, devnet.addresses.l1.uniswapV3!.swapRouter02],
      }),
    ).toBe(0n)
  })

  it('swaps DAI -> WETH along a two-hop path through USDC', async () => {
    const {
      weth,
      tokens: { DAI },
    } = devnet.addresses.l1
    const raw = { chainId: L1(), tokenIn: 'DAI', tokenOut: 'WETH', via: ['USDC'], amountIn: '1500', slippageBps: 30 }
    const q = await quote(raw)
    expect(q.fees).toEqual([100, 500])
    const [dai, wethBefore] = await Promise.all([
      erc20BalanceOf(devnet.l1, DAI, wallet),
      erc20BalanceOf(devnet.l1, weth, wallet),
    ])
    await run('uniswap-v3', raw)
    expect(await erc20BalanceOf(devnet.l1, DAI, wallet)).toBe(dai - parseUnits('1500', 18))
    expect((await erc20BalanceOf(devnet.l1, weth, wallet)) - wethBefore).toBe(q.amountOut)
  })
})

describe('erc4626', () => {
  it('deposits into the vault and redeems everything back (round trip)', async () => {
    const usdc = devnet.addresses.l1.tokens.USDC
    const vault = devnet.addresses.l1.vaults.vUSDC
    const start = await erc20BalanceOf(devnet.l1, usdc, wallet)
    const amount = parseUnits('1234.5', 6)
    const dep = await run('erc4626', {
      chainId: devnet.l1.chainId,
      vault: 'vUSDC',
      action: 'deposit',
      amount: `${amount} wei`,
    })
    expect(dep.calls).toHaveLength(2) // approval + deposit
    expect(await erc20BalanceOf(devnet.l1, usdc, wallet)).toBe(start - amount)
    const shares = await erc20BalanceOf(devnet.l1, vault, wallet)
    expect(shares).toBeGreaterThan(0n)
    await run('erc4626', { chainId: devnet.l1.chainId, vault, action: 'withdraw', amount: '1000 wei' })
    expect(await erc20BalanceOf(devnet.l1, usdc, wallet)).toBe(start - amount + 1000n)
    await run('erc4626', { chainId: devnet.l1.chainId, vault: 'vUSDC', action: 'redeem', amount: 'max' })
    expect(await erc20BalanceOf(devnet.l1, vault, wallet)).toBe(0n)
    expect(await erc20BalanceOf(devnet.l1, usdc, wallet)).toBe(start)
  })
})

describe('op-bridge', () => {
  it('deposits ETH on L1 and verify sees it arrive on L2', async () => {
    const amount = parseEther('0.25')
    const adapter = registry.get('op-bridge')
    const raw = { fromChainId: devnet.l1.chainId, toChainId: devnet.l2.chainId, token: 'ETH', amount: `${amount} wei` }
    const ctx = devnetContext(devnet, wallet)
    const p = parseAdapterParams(adapter, raw)
    const before = await adapter.snapshot!(ctx, p)
    const l2Before = await devnet.l2.client.getBalance({ address: wallet })
    const { calls } = await run('op-bridge', raw)
    expect(decodeFunctionData({ abi: ownArtifact('L1StandardBridge').abi, data: calls[0]!.data }).functionName).toBe(
      'depositETH',
    )
    const outcome = await adapter.verify!(ctx, p, before, { timeoutMs: 30_000, pollMs: 50 })
    expect(outcome).toMatchObject({ ok: true })
    expect((await devnet.l2.client.getBalance({ address: wallet })) - l2Before).toBe(amount)
  })

  it('deposits USDC to another own wallet with approval first; the L2 token is minted', async () => {
    const amount = parseUnits('750', 6)
    const adapter = registry.get('op-bridge')
    const raw = {
      fromChainId: devnet.l1.chainId,
      toChainId: devnet.l2.chainId,
      token: 'USDC',
      amount: `${amount} wei`,
      to: other,
    }
    const ctx = devnetContext(devnet, wallet)
    const p = parseAdapterParams(adapter, raw)
    const before = await adapter.snapshot!(ctx, p)
    const l1Before = await erc20BalanceOf(devnet.l1, devnet.addresses.l1.tokens.USDC, wallet)
    const { calls } = await run('op-bridge', raw)
    expect(calls).toHaveLength(2)
    const outcome = await adapter.verify!(ctx, p, before, { timeoutMs: 30_000, pollMs: 50 })
    expect(outcome).toMatchObject({ ok: true, evidence: expect.stringMatching(/DepositFinalized/) })
    expect(await erc20BalanceOf(devnet.l2, devnet.addresses.l2.tokens.USDC, other)).toBe(before.l2Balance + amount)
    expect(await erc20BalanceOf(devnet.l1, devnet.addresses.l1.tokens.USDC, wallet)).toBe(l1Before - amount)
    expect(
      await erc20BalanceOf(devnet.l1, devnet.addresses.l1.tokens.USDC, devnet.addresses.l1.l1StandardBridge),
    ).toBeGreaterThanOrEqual(amount)
  })
})

describe('across', () => {
  /** Runs one Across deposit through the engine with snapshot + verify; returns the parsed params and receipts. */
  async function bridge(raw: Record<string, unknown>) {
    const adapter = registry.get('across')
    const ctx = devnetContext(devnet, wallet)
    const p = parseAdapterParams(adapter, raw, devnet.book) as AcrossParams
    const before = await adapter.snapshot!(ctx, p)
    const { calls, receipts } = await run('across', raw)
    const outcome = await adapter.verify!(ctx, p, before, { timeoutMs: 30_000, pollMs: 50 })
    expect(outcome).toMatchObject({ ok: true, evidence: expect.stringMatching(/FilledRelay/) })
    return { p, calls, receipts, out: acrossOutputAmount(p) }
  }
  const L1 = () => devnet.l1.chainId
  const L2 = () => devnet.l2.chainId

  it('deposits ETH on L1 (wrapped by the SpokePool) and the relayer pays ETH out on L2', async () => {
    const amount = parseEther('0.3')
    const [l1Before, l2Before] = await Promise.all([
      devnet.l1.client.getBalance({ address: wallet }),
      devnet.l2.client.getBalance({ address: wallet }),
    ])
    const { calls, receipts, out } = await bridge({
      fromChainId: L1(),
      toChainId: L2(),
      token: 'ETH',
      amount: '0.3',
      relayerFeeBps: 5,
    })
    expect(calls).toHaveLength(1)
    expect(decodeFunctionData({ abi: spokePoolAbi, data: calls[0]!.data }).functionName).toBe('depositV3Now')
    expect(out).toBe(amount - (amount * 5n) / 10_000n)
    expect(await devnet.l1.client.getBalance({ address: wallet })).toBe(l1Before - amount - gasCost(receipts))
    expect(await devnet.l2.client.getBalance({ address: wallet })).toBe(l2Before + out)
  })

  it('deposits USDC on L1 with an exact approval first; the relayer pays USDC on L2', async () => {
    const amount = parseUnits('1500', 6)
    const usdc = devnet.addresses.l1.tokens.USDC
    const [l1Before, l2Before, poolBefore] = await Promise.all([
      erc20BalanceOf(devnet.l1, usdc, wallet),
      erc20BalanceOf(devnet.l2, devnet.addresses.l2.tokens.USDC, wallet),
      erc20BalanceOf(devnet.l1, usdc, devnet.addresses.l1.acrossSpokePool!),
    ])
    const { calls, out } = await bridge({ fromChainId: L1(), toChainId: L2(), token: 'USDC', amount: '1500' })
    expect(calls.map((c) => c.to)).toEqual([usdc, devnet.addresses.l1.acrossSpokePool])
    expect(decodeFunctionData({ abi: erc20Abi, data: calls[0]!.data }).args).toEqual([
      devnet.addresses.l1.acrossSpokePool,
      amount,
    ])
    expect(await erc20BalanceOf(devnet.l1, usdc, wallet)).toBe(l1Before - amount)
    expect(await erc20BalanceOf(devnet.l1, usdc, devnet.addresses.l1.acrossSpokePool!)).toBe(poolBefore + amount)
    expect(await erc20BalanceOf(devnet.l2, devnet.addresses.l2.tokens.USDC, wallet)).toBe(l2Before + out)
  })

  it('bridges back L2 -> L1: USDC to another own wallet, and ETH', async () => {
    const amount = parseUnits('1000', 6)
    const [l2Before, l1Before] = await Promise.all([
      erc20BalanceOf(devnet.l2, devnet.addresses.l2.tokens.USDC, wallet),
      erc20BalanceOf(devnet.l1, devnet.addresses.l1.tokens.USDC, other),
    ])
    const { calls, out } = await bridge({
      fromChainId: L2(),
      toChainId: L1(),
      token: 'USDC',
      amount: '1000',
      to: other,
    })
    expect(calls.every((c) => c.chainId === L2())).toBe(true)
    expect(await erc20BalanceOf(devnet.l2, devnet.addresses.l2.tokens.USDC, wallet)).toBe(l2Before - amount)
    expect(await erc20BalanceOf(devnet.l1, devnet.addresses.l1.tokens.USDC, other)).toBe(l1Before + out)
    const eth = parseEther('0.2')
    const [l2Eth, l1Eth] = await Promise.all([
      devnet.l2.client.getBalance({ address: wallet }),
      devnet.l1.client.getBalance({ address: wallet }),
    ])
    const back = await bridge({ fromChainId: L2(), toChainId: L1(), token: 'ETH', amount: '0.2' })
    expect(await devnet.l2.client.getBalance({ address: wallet })).toBe(l2Eth - eth - gasCost(back.receipts))
    expect(await devnet.l1.client.getBalance({ address: wallet })).toBe(l1Eth + back.out)
  })
})

describe('native-transfer and weth', () => {
  it('tops up another own wallet with ETH', async () => {
    const amount = parseEther('0.5')
    const before = await devnet.l2.client.getBalance({ address: other })
    await run('native-transfer', { chainId: devnet.l2.chainId, to: other, amount: `${amount} wei` })
    expect((await devnet.l2.client.getBalance({ address: other })) - before).toBe(amount)
  })

  it('wraps and unwraps ETH', async () => {
    const weth = devnet.addresses.l1.weth
    const amount = parseEther('2')
    const before = await erc20BalanceOf(devnet.l1, weth, wallet)
    await run('weth', { chainId: devnet.l1.chainId, action: 'wrap', amount: `${amount} wei` })
    expect(await erc20BalanceOf(devnet.l1, weth, wallet)).toBe(before + amount)
    const ethBefore = await devnet.l1.client.getBalance({ address: wallet })
    const { receipts } = await run('weth', {
      chainId: devnet.l1.chainId,
      action: 'unwrap',
      amount: `${parseEther('1.5')} wei`,
    })
    expect(await erc20BalanceOf(devnet.l1, weth, wallet)).toBe(before + parseEther('0.5'))
    expect((await devnet.l1.client.getBalance({ address: wallet })) - ethBefore + gasCost(receipts)).toBe(
      parseEther('1.5'),
    )
  })
})

describe('aave-v3', () => {
  it('supplies WETH, borrows USDC under the health-factor floor, repays all and withdraws all', async () => {
    const L1 = devnet.l1.chainId
    const m = devnet.addresses.l1.aaveV3!
    const {
      weth,
      tokens: { USDC },
    } = devnet.addresses.l1
    await run('weth', { chainId: L1, action: 'wrap', amount: '3' })
    const wethBefore = await erc20BalanceOf(devnet.l1, weth, wallet)
    const usdcBefore = await erc20BalanceOf(devnet.l1, USDC, wallet)
    const supply = await run('aave-v3', { chainId: L1, action: 'supply', asset: 'WETH', amount: '3' })
    expect(supply.calls.map((c) => c.to)).toEqual([weth, m.aaveV3Pool]) // exact approval, then supply
    expect(decodeFunctionData({ abi: aaveV3PoolAbi, data: supply.calls[1]!.data }).functionName).toBe('supply')
    expect(await erc20BalanceOf(devnet.l1, m.reserves.WETH.aToken, wallet)).toBe(parseEther('3'))
    expect(await erc20BalanceOf(devnet.l1, weth, wallet)).toBe(wethBefore - parseEther('3'))
    // 9,000 USD at 82.5% against 3,000 USDC: health factor ~2.47, above the 1.5 floor.
    await run('aave-v3', { chainId: L1, action: 'borrow', asset: 'USDC', amount: '3000', minHealthFactor: '1.5' })
    expect(await erc20BalanceOf(devnet.l1, m.reserves.USDC.variableDebtToken, wallet)).toBeGreaterThanOrEqual(
      parseUnits('3000', 6),
    )
    expect(await erc20BalanceOf(devnet.l1, USDC, wallet)).toBe(usdcBefore + parseUnits('3000', 6))
    // 2,500 more would leave ~1.35: refused before signing, nothing sent.
    const nonce = await devnet.l1.client.getTransactionCount({ address: wallet })
    await expect(
      run('aave-v3', { chainId: L1, action: 'borrow', asset: 'USDC', amount: '2500', minHealthFactor: '1.5' }),
    ).rejects.toBeInstanceOf(AdapterPreconditionError)
    expect(await devnet.l1.client.getTransactionCount({ address: wallet })).toBe(nonce)
    await run('aave-v3', { chainId: L1, action: 'repay', asset: 'USDC', amount: 'max' })
    expect(await erc20BalanceOf(devnet.l1, m.reserves.USDC.variableDebtToken, wallet)).toBe(0n)
    await run('aave-v3', { chainId: L1, action: 'withdraw', asset: 'WETH', amount: 'max' })
    expect(await erc20BalanceOf(devnet.l1, m.reserves.WETH.aToken, wallet)).toBe(0n)
    expect(await erc20BalanceOf(devnet.l1, weth, wallet)).toBeGreaterThanOrEqual(wethBefore)
    expect(untestedAdapterIds).not.toContain('aave-v3')
  })

  it('bad params (supply above balance, unknown asset, wrong chain) fail typed before any write', async () => {
    const L1 = devnet.l1.chainId
    const poor = devnet.accounts[4]!.address
    const bad: [Record<string, unknown>, new (...a: never[]) => Error][] = [
      [{ chainId: L1, action: 'supply', asset: 'USDC', amount: '1' }, AdapterPreconditionError], // holds 0 USDC
      [{ chainId: L1, action: 'supply', asset: 'WBTC', amount: '1 wei' }, ValidationError],
      [{ chainId: 10, action: 'supply', asset: 'USDC', amount: '1' }, ValidationError], // not a devnet chain (the L2 has a Pool too)
    ]
    for (const [raw, type] of bad) {
      const ctx = devnetContext(devnet, poor)
      await expect(prepareAdapterCalls(registry.get('aave-v3'), ctx, raw), JSON.stringify(raw)).rejects.toBeInstanceOf(
        type,
      )
      expect(ctx.rpcLog.filter((m) => WRITE_METHODS.has(m))).toEqual([])
    }
    expect(await devnet.l1.client.getTransactionCount({ address: poor })).toBe(0)
  })
})

describe('registry coverage', () => {
  it('every registered adapter was exercised above', () => {
    expect(builtinAdapters.map((a) => a.id).filter((id) => !covered.has(id))).toEqual([])
  })
})
