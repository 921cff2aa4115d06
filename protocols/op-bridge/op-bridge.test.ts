// op-bridge: recipient routing, L2 token mapping check, and verify reporting "not arrived" at its deadline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFunctionData, parseEther } from 'viem'
import { startDevnet, type Devnet } from '../../scripts/devnet.ts'
import { createWalletExecutor } from '../../test/devnet/executor.ts'
import { createManualClock, devnetContext } from '../../test/devnet/harness.ts'
import { parseAdapterParams, prepareAdapterCalls } from '../registry.ts'
import { AdapterPreconditionError } from '../shared/errors.ts'
import { l1BridgeAbi } from './abi.ts'
import { opBridgeAdapter, type OpBridgeParams } from './index.ts'

let devnet: Devnet
// No relayer: deposits never arrive, so verify's timeout path is deterministic.
beforeAll(async () => { devnet = await startDevnet({ addressesPath: null, relayer: false }) })
afterAll(async () => { await devnet?.stop() })

describe('op-bridge', () => {
  it('uses depositETHTo for another own wallet', async () => {
    const [me, other] = [devnet.accounts[1]!.address, devnet.accounts[2]!.address]
    const { calls } = await prepareAdapterCalls(opBridgeAdapter, devnetContext(devnet, me),
      { fromChainId: devnet.l1.chainId, toChainId: devnet.l2.chainId, token: 'ETH', amount: '1000', to: other, minGasLimit: 300_000 })
    const d = decodeFunctionData({ abi: l1BridgeAbi, data: calls[0]!.data })
    expect(d.functionName).toBe('depositETHTo')
    expect(d.args).toEqual([other, 300_000, '0x'])
    expect(calls[0]!.value).toBe(1000n)
    expect(calls[0]!.to).toBe(devnet.addresses.l1.l1StandardBridge)
  })

  it('refuses an L2 token that does not map back to the L1 token', async () => {
    const me = devnet.accounts[0]!.address
    const ctx = devnetContext(devnet, me)
    const L2 = devnet.l2.chainId
    // Swap the L2 entries: the "USDC" on L2 is now the DAI representation.
    ctx.book = { ...ctx.book, [L2]: { ...ctx.book[L2]!, tokens: { ...ctx.book[L2]!.tokens, USDC: { ...ctx.book[L2]!.tokens.DAI!, symbol: 'USDC' } } } }
    const err = await prepareAdapterCalls(opBridgeAdapter, ctx, { fromChainId: devnet.l1.chainId, toChainId: L2, token: 'USDC', amount: '1' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AdapterPreconditionError)
    expect((err as Error).message).toMatch(/does not represent L1 USDC/)
  })

  it('verify reports not-arrived at the deadline (context clock) when nothing relays the deposit', async () => {
    const me = devnet.accounts[3]!
    const clock = createManualClock()
    const ctx = devnetContext(devnet, me.address, { clock })
    const p = parseAdapterParams(opBridgeAdapter, { fromChainId: devnet.l1.chainId, toChainId: devnet.l2.chainId, token: 'ETH', amount: parseEther('1').toString(), arrivalTimeoutSeconds: 600 }) as OpBridgeParams
    const before = await opBridgeAdapter.snapshot!(ctx, p)
    await createWalletExecutor(devnet, me.privateKey).executeCalls(await opBridgeAdapter.buildCalls(ctx, p))
    const t0 = clock.now()
    const outcome = await opBridgeAdapter.verify!(ctx, p, before, { pollMs: 60_000 })
    expect(outcome).toEqual({ ok: false, reason: expect.stringMatching(/not seen on chain 31338 within 600 s/) })
    expect(clock.now() - t0).toBeGreaterThanOrEqual(600_000)
    expect(await devnet.l2.client.getBalance({ address: me.address })).toBe(before.l2Balance)
  })
})
