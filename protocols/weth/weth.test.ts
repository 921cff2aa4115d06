// weth: wrap sends value to deposit(), unwrap needs the WETH balance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFunctionData, parseEther } from 'viem'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { createWalletExecutor } from '../../test/devnet/executor.ts'
import { devnetContext } from '../../test/devnet/harness.ts'
import { prepareAdapterCalls } from '../registry.ts'
import { AdapterPreconditionError } from '../shared/errors.ts'
import { wethAbi } from './abi.ts'
import { wethAdapter } from './index.ts'

let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayer: false })
})
afterAll(async () => {
  await devnet?.stop()
})

describe('weth', () => {
  it('wraps on L2 and refuses to unwrap more than is held', async () => {
    const me = devnet.accounts[2]!
    const L2 = devnet.l2.chainId
    const ctx = devnetContext(devnet, me.address)
    const wrap = await prepareAdapterCalls(wethAdapter, ctx, {
      chainId: L2,
      action: 'wrap',
      amount: `${parseEther('3')} wei`,
    })
    expect(wrap.calls[0]).toMatchObject({ to: devnet.addresses.l2.weth, value: parseEther('3') })
    expect(decodeFunctionData({ abi: wethAbi, data: wrap.calls[0]!.data }).functionName).toBe('deposit')
    await createWalletExecutor(devnet, me.privateKey).executeCalls(wrap.calls)
    const tooMuch = await prepareAdapterCalls(wethAdapter, ctx, {
      chainId: L2,
      action: 'unwrap',
      amount: `${parseEther('3.1')} wei`,
    }).catch((e: unknown) => e)
    expect(tooMuch).toBeInstanceOf(AdapterPreconditionError)
    const ok = await prepareAdapterCalls(wethAdapter, ctx, {
      chainId: L2,
      action: 'unwrap',
      amount: `${parseEther('3')} wei`,
    })
    expect(decodeFunctionData({ abi: wethAbi, data: ok.calls[0]!.data }).args).toEqual([parseEther('3')])
  })
})
