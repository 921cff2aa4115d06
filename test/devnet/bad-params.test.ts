// Bad adapter params are refused with a typed error before any RPC call, and the chains are left untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { ValidationError } from '../../src/errors/validation-error.ts'
import { AdapterPreconditionError } from '../../protocols/shared/errors.ts'
import { createDefaultRegistry } from '../../protocols/index.ts'
import { prepareAdapterCalls } from '../../protocols/registry.ts'
import { startDevnet, type Devnet } from '../../scripts/devnet.ts'
import { devnetContext, WRITE_METHODS } from './harness.ts'

let devnet: Devnet
const registry = createDefaultRegistry()
const STRANGER = '0x000000000000000000000000000000000000dEaD' as Address

beforeAll(async () => { devnet = await startDevnet({ addressesPath: null, relayer: false }) })
afterAll(async () => { await devnet?.stop() })

/** [adapter id, raw params, the bad field path the error must name] */
function cases(): [string, Record<string, unknown>, string][] {
  const L1 = devnet.l1.chainId
  const L2 = devnet.l2.chainId
  const swap = { chainId: L1, tokenIn: 'ETH', tokenOut: 'USDC', amountIn: '1000 wei', slippageBps: 50 }
  const bridge = { fromChainId: L1, toChainId: L2, token: 'USDC', amount: '1000 wei' }
  return [
    ['uniswap-v2', { ...swap, amountIn: '-5' }, 'amountIn'],
    ['uniswap-v2', { ...swap, amountIn: 0 }, 'amountIn'],
    ['uniswap-v2', { ...swap, amountIn: '1.5 wei' }, 'amountIn'],
    ['uniswap-v2', { ...swap, amountIn: 1 }, 'amountIn'], // a bare number: floats round money
    ['uniswap-v2', { ...swap, tokenIn: 'USDC', tokenOut: 'ETH', amountIn: '0.0000001' }, 'amountIn'], // finer than USDC's 6 decimals
    ['uniswap-v2', { ...swap, tokenIn: 'NOPE', amountIn: '1' }, 'amountIn'], // token units of an unknown token
    ['uniswap-v2', { ...swap, tokenOut: 'FOO' }, 'tokenOut'],
    ['uniswap-v2', { ...swap, slippageBps: 0 }, 'slippageBps'],
    ['uniswap-v2', { ...swap, slippageBps: 9_000 }, 'slippageBps'],
    ['uniswap-v2', { ...swap, tokenOut: 'ETH' }, 'tokenOut'],
    ['uniswap-v2', { ...swap, chainId: 999 }, 'chainId'],
    ['uniswap-v2', { ...swap, chainId: L2 }, 'chainId'], // L2 has no router in the book
    ['uniswap-v2', { ...swap, recipient: STRANGER }, 'recipient'],
    ['erc4626', { chainId: L1, vault: 'vNOPE', action: 'deposit', amount: '1 wei' }, 'vault'],
    ['erc4626', { chainId: L1, vault: 'vUSDC', action: 'deposit', amount: 'max' }, 'amount'],
    ['erc4626', { chainId: L1, vault: 'vUSDC', action: 'borrow', amount: '1 wei' }, 'action'],
    ['erc4626', { chainId: L1, vault: 'vUSDC', action: 'withdraw', amount: '-1' }, 'amount'],
    ['op-bridge', { ...bridge, amount: '-1000' }, 'amount'],
    ['op-bridge', { ...bridge, token: 'WBTC' }, 'token'],
    ['op-bridge', { ...bridge, toChainId: L1 }, 'toChainId'],
    ['op-bridge', { ...bridge, fromChainId: L2, toChainId: L1 }, 'toChainId'], // L1 is not an L2 of L2
    ['op-bridge', { ...bridge, toChainId: 10 }, 'toChainId'],
    ['op-bridge', { ...bridge, to: STRANGER }, 'to'],
    ['native-transfer', { chainId: L1, to: STRANGER, amount: '1 wei' }, 'to'],
    ['native-transfer', { chainId: L1, to: '0x1234', amount: '1 wei' }, 'to'],
    ['native-transfer', { chainId: L1, to: devnet.accounts[1]!.address, amount: '1 wei' }, 'to'], // itself
    ['native-transfer', { chainId: 1, to: devnet.accounts[2]!.address, amount: '1 wei' }, 'chainId'],
    ['weth', { chainId: L1, action: 'wrap', amount: 'lots' }, 'amount'],
    ['weth', { chainId: 5, action: 'wrap', amount: '1 wei' }, 'chainId'],
    ['aave-v3', { chainId: L1, action: 'supply', asset: 'DAI', amount: '1 wei' }, 'chainId'], // no Pool on the devnet
    ['aave-v3', { chainId: L1, action: 'supply', asset: 'DAI', amount: 'max' }, 'amount'],
  ]
}

describe('bad adapter params', () => {
  it('are rejected with a ValidationError naming the field, before any RPC call; nonces and blocks unchanged', async () => {
    const wallet = devnet.accounts[1]!.address
    const state = () => Promise.all([
      devnet.l1.client.getBlockNumber(), devnet.l2.client.getBlockNumber(),
      devnet.l1.client.getTransactionCount({ address: wallet }), devnet.l2.client.getTransactionCount({ address: wallet }),
    ])
    const before = await state()
    for (const [id, raw, path] of cases()) {
      const ctx = devnetContext(devnet, wallet)
      const err = await prepareAdapterCalls(registry.get(id), ctx, raw).then(() => undefined, (e: unknown) => e)
      expect(err, `${id} ${JSON.stringify(raw)}`).toBeInstanceOf(ValidationError)
      const v = err as ValidationError
      expect(v.code).toBe('VALIDATION')
      expect(v.retryable).toBe(false)
      expect(v.issues.map((i) => i.path), `${id} ${JSON.stringify(raw)}: ${v.message}`).toContain(path)
      expect(ctx.rpcLog, `${id} ${JSON.stringify(raw)} made RPC calls`).toEqual([])
    }
    expect(await state()).toEqual(before)
  })

  it('unmet on-chain preconditions fail with a non-retryable typed error after reads only', async () => {
    // Account 4 holds no USDC: the swap is refused after reading the balance, with no write.
    const poor = devnet.accounts[4]!.address
    const ctx = devnetContext(devnet, poor)
    const raw = { chainId: devnet.l1.chainId, tokenIn: 'USDC', tokenOut: 'ETH', amountIn: '1000000 wei', slippageBps: 50 }
    const err = await prepareAdapterCalls(registry.get('uniswap-v2'), ctx, raw).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(AdapterPreconditionError)
    expect((err as AdapterPreconditionError).retryable).toBe(false)
    expect((err as Error).message).toMatch(/holds 0 USDC, needs 1000000/)
    expect(ctx.rpcLog.length).toBeGreaterThan(0)
    expect(ctx.rpcLog.filter((m) => WRITE_METHODS.has(m))).toEqual([])
    // A dust swap whose slippage-bounded minimum rounds to 0 is refused rather than sent unprotected.
    const dust = await prepareAdapterCalls(registry.get('uniswap-v2'), devnetContext(devnet, poor),
      { chainId: devnet.l1.chainId, tokenIn: 'ETH', tokenOut: 'USDC', amountIn: '100 wei', slippageBps: 50 }).then(() => undefined, (e: unknown) => e)
    expect((dust as Error).message).toMatch(/minimum output of 0/)
    expect(await devnet.l1.client.getTransactionCount({ address: poor })).toBe(0)
  })
})
