// erc4626: vault by name or address, approval only when short, limits checked before building.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFunctionData, encodeFunctionData, parseUnits } from 'viem'
import { ownArtifact } from '../../src/devnet/devnet-artifacts.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { createWalletExecutor } from '../../test/devnet/executor.ts'
import { devnetContext } from '../../test/devnet/harness.ts'
import { prepareAdapterCalls } from '../registry.ts'
import { AdapterPreconditionError } from '../shared/errors.ts'
import { erc20Abi } from '../shared/erc20-abi.ts'
import { erc4626Abi } from './abi.ts'
import { erc4626Adapter } from './index.ts'

let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayer: false })
})
afterAll(async () => {
  await devnet?.stop()
})

describe('erc4626', () => {
  it('skips the approval when the allowance suffices, and checks withdraw/redeem limits', async () => {
    const me = devnet.accounts[3]!
    const L1 = devnet.l1.chainId
    const { USDC } = devnet.addresses.l1.tokens
    const vault = devnet.addresses.l1.vaults.vUSDC
    const exec = createWalletExecutor(devnet, me.privateKey)
    await exec.executeCalls([
      {
        chainId: L1,
        to: USDC,
        value: 0n,
        label: 'mint',
        data: encodeFunctionData({
          abi: ownArtifact('TestERC20').abi,
          functionName: 'mint',
          args: [me.address, parseUnits('100', 6)],
        }),
      },
      {
        chainId: L1,
        to: USDC,
        value: 0n,
        label: 'approve',
        data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [vault, parseUnits('100', 6)] }),
      },
    ])
    const ctx = devnetContext(devnet, me.address)
    // By address rather than by name: any ERC-4626 vault works.
    const dep = await prepareAdapterCalls(erc4626Adapter, ctx, {
      chainId: L1,
      vault: vault.toLowerCase(),
      action: 'deposit',
      amount: `${parseUnits('40', 6)} wei`,
    })
    expect(dep.calls).toHaveLength(1)
    expect(decodeFunctionData({ abi: erc4626Abi, data: dep.calls[0]!.data }).args).toEqual([
      parseUnits('40', 6),
      me.address,
    ])
    await exec.executeCalls(dep.calls)
    const tooMuch = await prepareAdapterCalls(erc4626Adapter, ctx, {
      chainId: L1,
      vault: 'vUSDC',
      action: 'withdraw',
      amount: `${parseUnits('41', 6)} wei`,
    }).catch((e: unknown) => e)
    expect(tooMuch).toBeInstanceOf(AdapterPreconditionError)
    expect((tooMuch as Error).message).toMatch(/at most 40000000 assets/)
    const overdraw = await prepareAdapterCalls(erc4626Adapter, ctx, {
      chainId: L1,
      vault: 'vUSDC',
      action: 'deposit',
      amount: `${parseUnits('61', 6)} wei`,
    }).catch((e: unknown) => e)
    expect((overdraw as Error).message).toMatch(/holds 60000000 USDC, needs 61000000/)
    const redeem = await prepareAdapterCalls(erc4626Adapter, ctx, {
      chainId: L1,
      vault: 'vUSDC',
      action: 'redeem',
      amount: 'max',
      receiver: devnet.accounts[2]!.address,
    })
    const r = decodeFunctionData({ abi: erc4626Abi, data: redeem.calls[0]!.data })
    expect(r.functionName).toBe('redeem')
    expect(r.args).toEqual([parseUnits('40', 6), devnet.accounts[2]!.address, me.address])
  })
})
