// op-bridge: recipient routing, L2 token mapping check, and verify reporting "not arrived" at its deadline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWalletClient, decodeFunctionData, http, parseAbi, parseEther, type Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { anvilRpc } from '../../src/devnet/anvil.ts'
import { startRelayer } from '../../src/devnet/relayer.ts'
import { DEVNET_RELAYER_KEY, startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { createWalletExecutor } from '../../test/devnet/executor.ts'
import { createManualClock, devnetContext } from '../../test/devnet/harness.ts'
import { parseAdapterParams, prepareAdapterCalls } from '../registry.ts'
import { AdapterPreconditionError } from '../shared/errors.ts'
import { l1BridgeAbi } from './abi.ts'
import { opBridgeAdapter, type OpBridgeParams } from './index.ts'

let devnet: Devnet
// No relayer: deposits never arrive, so verify's timeout path is deterministic.
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayer: false })
})
afterAll(async () => {
  await devnet?.stop()
})

describe('op-bridge', () => {
  it('uses depositETHTo for another own wallet', async () => {
    const [me, other] = [devnet.accounts[1]!.address, devnet.accounts[2]!.address]
    const { calls } = await prepareAdapterCalls(opBridgeAdapter, devnetContext(devnet, me), {
      fromChainId: devnet.l1.chainId,
      toChainId: devnet.l2.chainId,
      token: 'ETH',
      amount: '1000 wei',
      to: other,
      minGasLimit: 300_000,
    })
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
    ctx.book = {
      ...ctx.book,
      [L2]: {
        ...ctx.book[L2]!,
        tokens: { ...ctx.book[L2]!.tokens, USDC: { ...ctx.book[L2]!.tokens.DAI!, symbol: 'USDC' } },
      },
    }
    const err = await prepareAdapterCalls(opBridgeAdapter, ctx, {
      fromChainId: devnet.l1.chainId,
      toChainId: L2,
      token: 'USDC',
      amount: '1 wei',
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AdapterPreconditionError)
    expect((err as Error).message).toMatch(/does not represent L1 USDC/)
  })

  it('verify reports not-arrived at the deadline (context clock) when nothing relays the deposit', async () => {
    const me = devnet.accounts[3]!
    const clock = createManualClock()
    const ctx = devnetContext(devnet, me.address, { clock })
    const p = parseAdapterParams(opBridgeAdapter, {
      fromChainId: devnet.l1.chainId,
      toChainId: devnet.l2.chainId,
      token: 'ETH',
      amount: `${parseEther('1')} wei`,
      arrivalTimeoutSeconds: 600,
    }) as OpBridgeParams
    const before = await opBridgeAdapter.snapshot!(ctx, p)
    await createWalletExecutor(devnet, me.privateKey).executeCalls(await opBridgeAdapter.buildCalls(ctx, p))
    const t0 = clock.now()
    const outcome = await opBridgeAdapter.verify!(ctx, p, before, { pollMs: 60_000 })
    expect(outcome).toEqual({ ok: false, reason: expect.stringMatching(/not seen on chain 31338 within 600 s/) })
    expect(clock.now() - t0).toBeGreaterThanOrEqual(600_000)
    expect(await devnet.l2.client.getBalance({ address: me.address })).toBe(before.l2Balance)
  })

  it('verify reports a deposit the L2 bridge refused (DepositFailed) without waiting for the deadline', async () => {
    const me = devnet.accounts[4]!
    // An own wallet on L2 that cannot receive ETH (code = INVALID): crediting it fails.
    const refuser = '0x00000000000000000000000000000000000B0B01' as Address
    await anvilRpc(devnet.l2.rpcUrl, 'anvil_setCode', [refuser, '0xfe'])
    const clock = createManualClock()
    const ctx = devnetContext(devnet, me.address, { ownWallets: [me.address, refuser], clock })
    const p = parseAdapterParams(opBridgeAdapter, {
      fromChainId: devnet.l1.chainId,
      toChainId: devnet.l2.chainId,
      token: 'ETH',
      amount: '4242 wei',
      to: refuser,
    }) as OpBridgeParams
    const before = await opBridgeAdapter.snapshot!(ctx, p)
    await createWalletExecutor(devnet, me.privateKey).executeCalls(await opBridgeAdapter.buildCalls(ctx, p))
    const relayer = startRelayer({
      l1: devnet.l1.client,
      l2: devnet.l2.client,
      l1Bridge: devnet.addresses.l1.l1StandardBridge,
      l2Bridge: devnet.addresses.l2.l2StandardBridge,
      l2Wallet: createWalletClient({
        account: privateKeyToAccount(DEVNET_RELAYER_KEY),
        chain: devnet.l2.chain,
        transport: http(devnet.l2.rpcUrl),
      }),
    })
    try {
      // Relay first so the outcome does not depend on timing, then verify on the manual clock.
      const nonceOf = (address: Address, c: typeof devnet.l1, fn: string) =>
        c.client.readContract({
          address,
          abi: parseAbi([`function ${fn}() view returns (uint256)`]),
          functionName: fn,
        }) as Promise<bigint>
      const queued = await nonceOf(devnet.addresses.l1.l1StandardBridge, devnet.l1, 'depositNonce')
      const deadline = Date.now() + 30_000
      while ((await nonceOf(devnet.addresses.l2.l2StandardBridge, devnet.l2, 'nextDepositNonce')) < queued) {
        if (Date.now() > deadline) throw new Error('relayer did not catch up within 30 s')
        await relayer.tick()
      }
      const outcome = await opBridgeAdapter.verify!(ctx, p, before, { timeoutMs: 3_600_000, pollMs: 1_000 })
      expect(outcome).toEqual({ ok: false, reason: expect.stringMatching(/DepositFailed/) })
      expect(await devnet.l2.client.getBalance({ address: refuser })).toBe(0n)
    } finally {
      await relayer.stop()
    }
  })
})
