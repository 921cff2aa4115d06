// Runs every registered adapter end to end on the devnet through the transaction engine and checks balances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFunctionData, encodeFunctionData, parseEther, parseUnits, type Address, type Hex } from 'viem'
import { builtinAdapters, createDefaultRegistry, untestedAdapterIds } from '../../protocols/index.ts'
import { prepareAdapterCalls, parseAdapterParams } from '../../protocols/registry.ts'
import { quoteUniswapV2, type UniswapV2Params } from '../../protocols/uniswap-v2/index.ts'
import { aaveV3PoolAbi } from '../../protocols/aave-v3/abi.ts'
import { erc20Abi } from '../../protocols/shared/erc20-abi.ts'
import { ownArtifact } from '../../scripts/devnet-artifacts.ts'
import { startDevnet, type Devnet } from '../../scripts/devnet.ts'
import { anvilRpc } from '../../scripts/anvil.ts'
import { createEngineExecutor, gasCost, type CallExecutor } from './executor.ts'
import { devnetContext, erc20BalanceOf } from './harness.ts'

let devnet: Devnet
let wallet: Address
let other: Address
let exec: CallExecutor
const registry = createDefaultRegistry()
/** Adapter ids exercised below; the last test fails when a registered adapter has no case here. */
const covered = new Set<string>()

beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayerPollMs: 50 })
  wallet = devnet.accounts[1]!.address
  other = devnet.accounts[2]!.address
  exec = createEngineExecutor(devnet, devnet.accounts[1]!.privateKey)
  // Give the wallet test tokens (TestERC20.mint is open on the devnet).
  const mint = (token: Address, amount: bigint) => ({ chainId: devnet.l1.chainId, to: token, value: 0n, label: 'mint',
    data: encodeFunctionData({ abi: ownArtifact('TestERC20').abi, functionName: 'mint', args: [wallet, amount] }) as Hex })
  await exec.executeCalls([mint(devnet.addresses.l1.tokens.USDC, parseUnits('100000', 6)), mint(devnet.addresses.l1.tokens.DAI, parseUnits('100000', 18))])
})
afterAll(async () => { await devnet?.stop() })

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
    const q = await quoteUniswapV2(devnetContext(devnet, wallet), parseAdapterParams(registry.get('uniswap-v2'), raw) as UniswapV2Params)
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
    const q = await quoteUniswapV2(devnetContext(devnet, wallet), parseAdapterParams(registry.get('uniswap-v2'), raw) as UniswapV2Params)
    const ethBefore = await devnet.l1.client.getBalance({ address: wallet })
    const { calls, receipts } = await run('uniswap-v2', raw)
    expect(calls.map((c) => c.label)[0]).toMatch(/^approve 3000 USDC/)
    const approve = decodeFunctionData({ abi: erc20Abi, data: calls[0]!.data })
    expect(approve.args).toEqual([devnet.addresses.l1.uniswapV2Router02, amountIn])
    const got = (await devnet.l1.client.getBalance({ address: wallet })) - ethBefore + gasCost(receipts)
    expect(got).toBeGreaterThanOrEqual(q.minOut)
    expect(got).toBeLessThanOrEqual(q.amountOut)
    // The exact approval is fully spent: nothing left for the router to pull later.
    expect(await devnet.l1.client.readContract({ address: devnet.addresses.l1.tokens.USDC, abi: erc20Abi, functionName: 'allowance', args: [wallet, devnet.addresses.l1.uniswapV2Router02] })).toBe(0n)
  })

  it('swaps USDC -> DAI through the direct pair', async () => {
    const raw = { chainId: L1(), tokenIn: 'USDC', tokenOut: 'DAI', amountIn: `${parseUnits('500', 6)} wei`, slippageBps: 30 }
    const q = await quoteUniswapV2(devnetContext(devnet, wallet), parseAdapterParams(registry.get('uniswap-v2'), raw) as UniswapV2Params)
    expect(q.path).toEqual([devnet.addresses.l1.tokens.USDC, devnet.addresses.l1.tokens.DAI])
    const before = await erc20BalanceOf(devnet.l1, devnet.addresses.l1.tokens.DAI, wallet)
    await run('uniswap-v2', raw)
    const got = (await erc20BalanceOf(devnet.l1, devnet.addresses.l1.tokens.DAI, wallet)) - before
    expect(got).toBeGreaterThanOrEqual(q.minOut)
    expect(got).toBeLessThanOrEqual(q.amountOut)
  })
})

describe('erc4626', () => {
  it('deposits into the vault and redeems everything back (round trip)', async () => {
    const usdc = devnet.addresses.l1.tokens.USDC
    const vault = devnet.addresses.l1.vaults.vUSDC
    const start = await erc20BalanceOf(devnet.l1, usdc, wallet)
    const amount = parseUnits('1234.5', 6)
    const dep = await run('erc4626', { chainId: devnet.l1.chainId, vault: 'vUSDC', action: 'deposit', amount: `${amount} wei` })
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
    expect(decodeFunctionData({ abi: ownArtifact('L1StandardBridge').abi, data: calls[0]!.data }).functionName).toBe('depositETH')
    const outcome = await adapter.verify!(ctx, p, before, { timeoutMs: 30_000, pollMs: 50 })
    expect(outcome).toMatchObject({ ok: true })
    expect((await devnet.l2.client.getBalance({ address: wallet })) - l2Before).toBe(amount)
  })

  it('deposits USDC to another own wallet with approval first; the L2 token is minted', async () => {
    const amount = parseUnits('750', 6)
    const adapter = registry.get('op-bridge')
    const raw = { fromChainId: devnet.l1.chainId, toChainId: devnet.l2.chainId, token: 'USDC', amount: `${amount} wei`, to: other }
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
    expect(await erc20BalanceOf(devnet.l1, devnet.addresses.l1.tokens.USDC, devnet.addresses.l1.l1StandardBridge)).toBeGreaterThanOrEqual(amount)
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
    const { receipts } = await run('weth', { chainId: devnet.l1.chainId, action: 'unwrap', amount: `${parseEther('1.5')} wei` })
    expect(await erc20BalanceOf(devnet.l1, weth, wallet)).toBe(before + parseEther('0.5'))
    expect((await devnet.l1.client.getBalance({ address: wallet })) - ethBefore + gasCost(receipts)).toBe(parseEther('1.5'))
  })
})

describe('aave-v3 (untested against a live Pool: calldata only)', () => {
  it('builds approval + supply and a max withdraw with the real Pool selectors', async () => {
    covered.add('aave-v3')
    // No Aave artifacts are installable here: point the book at a contract-shaped address and decode the calls.
    const pool = '0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2' as Address
    await anvilRpc(devnet.l1.rpcUrl, 'anvil_setCode', [pool, '0x00'])
    const ctx = devnetContext(devnet, wallet)
    ctx.book = { ...ctx.book, [devnet.l1.chainId]: { ...ctx.book[devnet.l1.chainId]!, contracts: { ...ctx.book[devnet.l1.chainId]!.contracts, aaveV3Pool: pool } } }
    const adapter = registry.get('aave-v3')
    const supply = await prepareAdapterCalls(adapter, ctx, { chainId: devnet.l1.chainId, action: 'supply', asset: 'DAI', amount: '1000 wei' })
    expect(supply.calls.map((c) => c.to)).toEqual([devnet.addresses.l1.tokens.DAI, pool])
    const s = decodeFunctionData({ abi: aaveV3PoolAbi, data: supply.calls[1]!.data })
    expect(s.functionName).toBe('supply')
    expect(s.args).toEqual([devnet.addresses.l1.tokens.DAI, 1000n, wallet, 0])
    expect(supply.calls[1]!.data.slice(0, 10)).toBe('0x617ba037') // supply(address,uint256,address,uint16)
    const w = await prepareAdapterCalls(adapter, ctx, { chainId: devnet.l1.chainId, action: 'withdraw', asset: 'DAI', amount: 'max' })
    expect(w.calls[0]!.data.slice(0, 10)).toBe('0x69328dec') // withdraw(address,uint256,address)
    expect(decodeFunctionData({ abi: aaveV3PoolAbi, data: w.calls[0]!.data }).args[1]).toBe(2n ** 256n - 1n)
    expect(untestedAdapterIds).toContain('aave-v3')
  })
})

describe('registry coverage', () => {
  it('every registered adapter was exercised above', () => {
    expect(builtinAdapters.map((a) => a.id).filter((id) => !covered.has(id))).toEqual([])
  })
})
