// Bad adapter params are refused with a typed error before any RPC call, and the chains are left untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { ValidationError } from '../../src/errors/validation-error.ts'
import { AdapterPreconditionError } from '../../protocols/shared/errors.ts'
import { createDefaultRegistry } from '../../protocols/index.ts'
import { prepareAdapterCalls } from '../../protocols/registry.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { devnetContext, WRITE_METHODS } from './harness.ts'

let devnet: Devnet
const registry = createDefaultRegistry()
const STRANGER = '0x000000000000000000000000000000000000dEaD' as Address

beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayer: false })
})
afterAll(async () => {
  await devnet?.stop()
})

/** [adapter id, raw params, the bad field path the error must name] */
function cases(): [string, Record<string, unknown>, string][] {
  const L1 = devnet.l1.chainId
  const L2 = devnet.l2.chainId
  const swap = { chainId: L1, tokenIn: 'ETH', tokenOut: 'USDC', amountIn: '1000 wei', slippageBps: 50 }
  const bridge = { fromChainId: L1, toChainId: L2, token: 'USDC', amount: '1000 wei' }
  const across = { fromChainId: L1, toChainId: L2, token: 'USDC', amount: '1000 wei' }
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
    ['uniswap-v3', { ...swap, fee: 2500 }, 'fee'], // not a fee tier
    ['uniswap-v3', { ...swap, via: ['DAI'], fee: [100] }, 'fee'], // one tier per hop
    ['uniswap-v3', { ...swap, via: ['WBTC'] }, 'via.0'],
    ['uniswap-v3', { ...swap, chainId: L2 }, 'chainId'], // no SwapRouter02 on L2
    ['uniswap-v3', { ...swap, chainId: 10 }, 'chainId'],
    ['uniswap-v3', { ...swap, amountIn: '0' }, 'amountIn'],
    ['uniswap-v3', { ...swap, amountIn: 2 }, 'amountIn'], // a bare number
    ['uniswap-v3', { ...swap, tokenIn: 'USDC', tokenOut: 'ETH', amountIn: '0.0000001' }, 'amountIn'], // finer than USDC's 6 decimals
    ['uniswap-v3', { ...swap, recipient: STRANGER }, 'recipient'],
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
    ['across', { ...across, token: 'WBTC' }, 'token'], // unsupported token
    ['across', { ...across, toChainId: 10 }, 'toChainId'], // unsupported route: no such chain configured
    ['across', { ...across, fromChainId: 1 }, 'fromChainId'],
    ['across', { ...across, toChainId: L1 }, 'toChainId'],
    ['across', { ...across, to: STRANGER }, 'to'],
    ['across', { ...across, amount: '0' }, 'amount'],
    ['across', { ...across, amount: 1000 }, 'amount'], // a bare number
    ['across', { ...across, amount: '1.0000001' }, 'amount'], // finer than USDC's 6 decimals
    ['across', { ...across, relayerFeeBps: 900 }, 'relayerFeeBps'],
    ['native-transfer', { chainId: L1, to: STRANGER, amount: '1 wei' }, 'to'],
    ['native-transfer', { chainId: L1, to: '0x1234', amount: '1 wei' }, 'to'],
    ['native-transfer', { chainId: L1, to: devnet.accounts[1]!.address, amount: '1 wei' }, 'to'], // itself
    ['native-transfer', { chainId: 1, to: devnet.accounts[2]!.address, amount: '1 wei' }, 'chainId'],
    ['weth', { chainId: L1, action: 'wrap', amount: 'lots' }, 'amount'],
    ['weth', { chainId: 5, action: 'wrap', amount: '1 wei' }, 'chainId'],
    ['aave-v3', { chainId: L1, action: 'supply', asset: 'DAI', amount: '1 wei' }, 'chainId'], // started without the Aave market
    ['aave-v3', { chainId: L1, action: 'supply', asset: 'NOPE', amount: '1' }, 'amount'], // token units of an unknown asset
    ['aave-v3', { chainId: L1, action: 'supply', asset: 'DAI', amount: 'max' }, 'amount'],
    [
      'aave-v3',
      { chainId: L1, action: 'borrow', asset: 'USDC', amount: '1', minHealthFactor: '0.95' },
      'minHealthFactor',
    ],
    ['aave-v3', { chainId: L1, action: 'borrow', asset: 'USDC', amount: '1', to: devnet.accounts[2]!.address }, 'to'],
  ]
}

describe('bad adapter params', () => {
  it('are rejected with a ValidationError naming the field, before any RPC call; nonces and blocks unchanged', async () => {
    const wallet = devnet.accounts[1]!.address
    const state = () =>
      Promise.all([
        devnet.l1.client.getBlockNumber(),
        devnet.l2.client.getBlockNumber(),
        devnet.l1.client.getTransactionCount({ address: wallet }),
        devnet.l2.client.getTransactionCount({ address: wallet }),
      ])
    const before = await state()
    for (const [id, raw, path] of cases()) {
      const ctx = devnetContext(devnet, wallet)
      const err = await prepareAdapterCalls(registry.get(id), ctx, raw).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err, `${id} ${JSON.stringify(raw)}`).toBeInstanceOf(ValidationError)
      const v = err as ValidationError
      expect(v.code).toBe('VALIDATION')
      expect(v.retryable).toBe(false)
      expect(
        v.issues.map((i) => i.path),
        `${id} ${JSON.stringify(raw)}: ${v.message}`,
      ).toContain(path)
      expect(ctx.rpcLog, `${id} ${JSON.stringify(raw)} made RPC calls`).toEqual([])
    }
    expect(await state()).toEqual(before)
  })

  it('unmet on-chain preconditions fail with a non-retryable typed error after reads only', async () => {
    // Account 4 holds no USDC: the swap is refused after reading the balance, with no write.
    const poor = devnet.accounts[4]!.address
    const ctx = devnetContext(devnet, poor)
    const raw = {
      chainId: devnet.l1.chainId,
      tokenIn: 'USDC',
      tokenOut: 'ETH',
      amountIn: '1000000 wei',
      slippageBps: 50,
    }
    const err = await prepareAdapterCalls(registry.get('uniswap-v2'), ctx, raw).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AdapterPreconditionError)
    expect((err as AdapterPreconditionError).retryable).toBe(false)
    expect((err as Error).message).toMatch(/holds 0 USDC, needs 1000000/)
    expect(ctx.rpcLog.length).toBeGreaterThan(0)
    expect(ctx.rpcLog.filter((m) => WRITE_METHODS.has(m))).toEqual([])
    // A dust swap whose slippage-bounded minimum rounds to 0 is refused rather than sent unprotected.
    const dust = await prepareAdapterCalls(registry.get('uniswap-v2'), devnetContext(devnet, poor), {
      chainId: devnet.l1.chainId,
      tokenIn: 'ETH',
      tokenOut: 'USDC',
      amountIn: '100 wei',
      slippageBps: 50,
    }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect((dust as Error).message).toMatch(/minimum output of 0/)
    expect(await devnet.l1.client.getTransactionCount({ address: poor })).toBe(0)
  })

  it('uniswap-v3: a path through a missing pool names the field, a swap above the balance is refused; reads only', async () => {
    const poor = devnet.accounts[4]!.address
    const L1 = devnet.l1.chainId
    const attempt = async (raw: Record<string, unknown>) => {
      const ctx = devnetContext(devnet, poor)
      const err = await prepareAdapterCalls(registry.get('uniswap-v3'), ctx, raw).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(ctx.rpcLog.length).toBeGreaterThan(0)
      expect(ctx.rpcLog.filter((m) => WRITE_METHODS.has(m))).toEqual([])
      return err as Error
    }
    const swap = { chainId: L1, tokenIn: 'DAI', tokenOut: 'WETH', amountIn: '1000', slippageBps: 50 }
    const noTier = await attempt({
      tokenIn: 'ETH',
      tokenOut: 'USDC',
      chainId: L1,
      amountIn: '1000000 wei',
      slippageBps: 50,
      fee: 10000,
    })
    expect(noTier).toBeInstanceOf(ValidationError)
    expect((noTier as ValidationError).issues).toEqual([
      expect.objectContaining({
        path: 'fee',
        message: expect.stringMatching(/no Uniswap V3 pool for ETH\/USDC with fee 10000/),
      }),
    ])
    const noPool = await attempt(swap) // no DAI/WETH pool in any tier
    expect((noPool as ValidationError).issues.map((i) => i.path)).toEqual(['tokenOut'])
    const noHop = await attempt({ ...swap, via: ['USDC'], fee: [100, 100] }) // USDC/WETH has no 0.01% pool
    expect((noHop as ValidationError).issues.map((i) => i.path)).toEqual(['fee.1'])
    // 1e-12 DAI buys 0 USDC, so the second hop's quote reverts in every tier: refused, not sent unprotected.
    const dust = await attempt({ ...swap, via: ['USDC'], amountIn: '1000000 wei' })
    expect(dust).toBeInstanceOf(AdapterPreconditionError)
    expect(dust.message).toMatch(/no quote for 1000000 DAI->USDC->WETH .*tiers tried: 100\/500, 100\/3000/)
    const broke = await attempt({ ...swap, via: ['USDC'] })
    expect(broke).toBeInstanceOf(AdapterPreconditionError)
    expect(broke.message).toMatch(/holds 0 DAI, needs 1000000000000000000000/)
    expect(await devnet.l1.client.getTransactionCount({ address: poor })).toBe(0)
  })
})
