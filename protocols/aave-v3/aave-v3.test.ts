// aave-v3: calldata against the real IPool selectors, approval logic, and fail-closed checks (no live Pool here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFunctionData, type Address } from 'viem'
import { anvilRpc } from '../../scripts/anvil.ts'
import { startDevnet, type Devnet } from '../../scripts/devnet.ts'
import { devnetContext } from '../../test/devnet/harness.ts'
import { ValidationError } from '../../src/errors/validation-error.ts'
import { prepareAdapterCalls } from '../registry.ts'
import { AdapterPreconditionError } from '../shared/errors.ts'
import { erc20Abi } from '../shared/erc20-abi.ts'
import type { ReadContext } from '../types.ts'
import { aaveV3PoolAbi } from './abi.ts'
import { aaveV3Adapter } from './index.ts'

let devnet: Devnet
beforeAll(async () => { devnet = await startDevnet({ addressesPath: null, relayer: false }) })
afterAll(async () => { await devnet?.stop() })

function withPool(ctx: ReadContext, pool: Address): void {
  const L1 = devnet.l1.chainId
  ctx.book = { ...ctx.book, [L1]: { ...ctx.book[L1]!, contracts: { ...ctx.book[L1]!.contracts, aaveV3Pool: pool } } }
}

describe('aave-v3', () => {
  it('supplies with an exact approval to the Pool and withdraws to an own wallet', async () => {
    const pool = '0x1111111111111111111111111111111111111111' as Address
    await anvilRpc(devnet.l1.rpcUrl, 'anvil_setCode', [pool, '0x00'])
    const lp = devnet.accounts[0]!.address // holds devnet DAI left from seeding
    const ctx = devnetContext(devnet, lp)
    withPool(ctx, pool)
    const L1 = devnet.l1.chainId
    const { calls } = await prepareAdapterCalls(aaveV3Adapter, ctx, { chainId: L1, action: 'supply', asset: 'DAI', amount: '777 wei', to: devnet.accounts[2]!.address })
    expect(decodeFunctionData({ abi: erc20Abi, data: calls[0]!.data }).args).toEqual([pool, 777n])
    expect(decodeFunctionData({ abi: aaveV3PoolAbi, data: calls[1]!.data }).args).toEqual([devnet.addresses.l1.tokens.DAI, 777n, devnet.accounts[2]!.address, 0])
    const w = await prepareAdapterCalls(aaveV3Adapter, ctx, { chainId: L1, action: 'withdraw', asset: 'USDC', amount: '5 wei' })
    expect(decodeFunctionData({ abi: aaveV3PoolAbi, data: w.calls[0]!.data }).args).toEqual([devnet.addresses.l1.tokens.USDC, 5n, lp])
  })

  it('refuses a Pool address without code, ETH as asset, and more than the wallet holds', async () => {
    const L1 = devnet.l1.chainId
    const ctx = devnetContext(devnet, devnet.accounts[4]!.address)
    withPool(ctx, '0x2222222222222222222222222222222222222222')
    const noCode = await prepareAdapterCalls(aaveV3Adapter, ctx, { chainId: L1, action: 'withdraw', asset: 'DAI', amount: 'max' }).catch((e: unknown) => e)
    expect(noCode).toBeInstanceOf(AdapterPreconditionError)
    expect((noCode as Error).message).toMatch(/no contract at aaveV3Pool/)
    const eth = await prepareAdapterCalls(aaveV3Adapter, ctx, { chainId: L1, action: 'supply', asset: 'ETH', amount: '1 wei' }).catch((e: unknown) => e)
    expect(eth).toBeInstanceOf(ValidationError)
    withPool(ctx, '0x1111111111111111111111111111111111111111')
    await anvilRpc(devnet.l1.rpcUrl, 'anvil_setCode', ['0x1111111111111111111111111111111111111111', '0x00'])
    const poor = await prepareAdapterCalls(aaveV3Adapter, ctx, { chainId: L1, action: 'supply', asset: 'DAI', amount: '1 wei' }).catch((e: unknown) => e)
    expect((poor as Error).message).toMatch(/holds 0 DAI, needs 1/)
  })
})
