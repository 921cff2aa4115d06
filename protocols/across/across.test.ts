// across: ABI vs the published artifacts, route and balance refusals before any write, the relayer, and expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createWalletClient,
  encodeFunctionData,
  http,
  pad,
  parseEther,
  toEventSelector,
  toFunctionSelector,
  type AbiEvent,
  type AbiFunction,
  type Address,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ValidationError } from '../../src/errors/validation-error.ts'
import { anvilRpc } from '../../src/devnet/anvil.ts'
import { startAcrossRelayer } from '../../src/devnet/across-relayer.ts'
import { acrossArtifact } from '../../src/devnet/devnet-across.ts'
import { ownArtifact } from '../../src/devnet/devnet-artifacts.ts'
import { startRelayer } from '../../src/devnet/relayer.ts'
import { DEVNET_ACROSS_RELAYER_KEY, DEVNET_RELAYER_KEY, startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { createWalletExecutor } from '../../test/devnet/executor.ts'
import { createManualClock, devnetContext, erc20BalanceOf, WRITE_METHODS } from '../../test/devnet/harness.ts'
import { parseAdapterParams, prepareAdapterCalls } from '../registry.ts'
import { AdapterPreconditionError } from '../shared/errors.ts'
import type { AddressBook } from '../types.ts'
import { spokePoolAbi } from './abi.ts'
import { acrossAdapter, type AcrossParams } from './index.ts'

let devnet: Devnet
// No relayers: each test starts what it needs, so fills and expiries are deterministic.
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayer: false })
})
afterAll(async () => {
  await devnet?.stop()
})

const refusal = (ctx: ReturnType<typeof devnetContext>, raw: Record<string, unknown>) =>
  prepareAdapterCalls(acrossAdapter, ctx, raw).then(
    () => undefined,
    (e: unknown) => e,
  )

describe('across ABI', () => {
  it('every function and event the adapter uses exists with the same selector in both published SpokePools', () => {
    for (const name of ['Ethereum_SpokePool', 'OP_SpokePool'] as const) {
      const published = acrossArtifact(name).abi
      const sel = (i: AbiFunction | AbiEvent) => (i.type === 'function' ? toFunctionSelector(i) : toEventSelector(i))
      const have = new Set(
        published
          .filter((i) => i.type === 'function' || i.type === 'event')
          .map((i) => sel(i as AbiFunction | AbiEvent)),
      )
      const ours = spokePoolAbi.filter((i) => i.type === 'function' || i.type === 'event')
      expect(ours.length).toBe(11)
      expect(
        ours.filter((i) => !have.has(sel(i))).map((i) => i.name),
        name,
      ).toEqual([])
    }
  })
})

describe('across params against the book and the chain', () => {
  it('refuses a token missing on the destination, a chain without a SpokePool and mismatched decimals, with no RPC', async () => {
    const [L1, L2] = [devnet.l1.chainId, devnet.l2.chainId]
    const me = devnet.accounts[1]!.address
    const base = { fromChainId: L1, toChainId: L2, token: 'USDC', amount: '1000 wei' }
    const edit = (f: (b: AddressBook) => void) => {
      const ctx = devnetContext(devnet, me)
      ctx.book = structuredClone(ctx.book)
      f(ctx.book)
      return ctx
    }
    const cases: [ReturnType<typeof devnetContext>, Record<string, unknown>, string, RegExp][] = [
      [
        edit((b) => {
          b[L1]!.tokens.FOO = { symbol: 'FOO', address: devnet.addresses.l1.tokens.DAI, decimals: 18 }
        }),
        { ...base, token: 'FOO' },
        'token',
        /unknown token "FOO" on chain 31338/,
      ],
      [
        edit((b) => {
          delete b[L2]!.contracts.acrossSpokePool
        }),
        base,
        'toChainId',
        /no acrossSpokePool configured on chain 31338/,
      ],
      [
        edit((b) => {
          delete b[L1]!.contracts.acrossSpokePool
        }),
        base,
        'fromChainId',
        /no acrossSpokePool configured on chain 31337/,
      ],
      [
        edit((b) => {
          b[L2]!.tokens.USDC!.decimals = 18
        }),
        base,
        'token',
        /6 decimals on chain 31337 but 18 on chain 31338/,
      ],
    ]
    for (const [ctx, raw, path, message] of cases) {
      const err = await refusal(ctx, raw)
      expect(err).toBeInstanceOf(ValidationError)
      expect((err as ValidationError).issues.map((i) => i.path)).toEqual([path])
      expect((err as Error).message).toMatch(message)
      expect(ctx.rpcLog).toEqual([])
    }
  })

  it('refuses an amount above the balance and a fill deadline past the pool limit after reads only', async () => {
    const poor = devnet.accounts[4]!.address
    const ctx = devnetContext(devnet, poor)
    const base = { fromChainId: devnet.l1.chainId, toChainId: devnet.l2.chainId }
    const usdc = await refusal(ctx, { ...base, token: 'USDC', amount: '1' }) // 1 USDC = 1000000 base units
    expect(usdc).toBeInstanceOf(AdapterPreconditionError)
    expect((usdc as Error).message).toMatch(/holds 0 USDC, needs 1000000/)
    const eth = await refusal(ctx, { ...base, token: 'ETH', amount: '20000' })
    expect((eth as Error).message).toMatch(/needs 20000000000000000000000 plus gas/)
    const late = await refusal(ctx, { ...base, token: 'ETH', amount: '1000 wei', fillDeadlineSeconds: 86_400 })
    expect((late as Error).message).toMatch(/exceeds the SpokePool's limit of 21600/)
    expect(ctx.rpcLog.length).toBeGreaterThan(0)
    expect(ctx.rpcLog.filter((m) => WRITE_METHODS.has(m))).toEqual([])
    expect(await devnet.l1.client.getTransactionCount({ address: poor })).toBe(0)
  })
})

/** The devnet's Across relayer, polling only when a test ticks it. */
function acrossRelayer() {
  const account = privateKeyToAccount(DEVNET_ACROSS_RELAYER_KEY)
  return startAcrossRelayer({
    pollMs: 60_000,
    chains: (
      [
        [devnet.l1, devnet.addresses.l1],
        [devnet.l2, devnet.addresses.l2],
      ] as const
    ).map(([c, a]) => ({
      chainId: c.chainId,
      client: c.client,
      spokePool: a.acrossSpokePool!,
      tokens: { WETH: a.weth, ...a.tokens },
      wallet: createWalletClient({ account, chain: c.chain, transport: http(c.rpcUrl) }),
    })),
  })
}

describe('devnet relayer', () => {
  it('fills a deposit once (a second relayer rescans and skips it) and ignores one whose tokens do not match', async () => {
    const me = devnet.accounts[2]!
    const { l1, l2 } = devnet.addresses
    const relayer = acrossRelayer
    const exec = createWalletExecutor(devnet, me.privateKey)
    const ctx = devnetContext(devnet, me.address)
    const raw = {
      fromChainId: devnet.l1.chainId,
      toChainId: devnet.l2.chainId,
      token: 'ETH',
      amount: '0.5',
      relayerFeeBps: 0,
    }
    const { calls } = await prepareAdapterCalls(acrossAdapter, ctx, raw)
    expect(calls.map((c) => c.label)).toEqual([
      `bridge 0.5 ETH to chain ${devnet.l2.chainId} for ${me.address} via Across (receive 0.5 ETH)`,
    ])
    await exec.executeCalls(calls)
    // A deposit of L1 USDC asking for L2 WETH (which the relayer holds): no honest relayer fills it.
    await exec.executeCalls([
      {
        chainId: devnet.l1.chainId,
        to: l1.tokens.USDC,
        value: 0n,
        label: 'mint',
        data: encodeFunctionData({
          abi: ownArtifact('TestERC20').abi,
          functionName: 'mint',
          args: [me.address, 5_000n],
        }),
      },
      {
        chainId: devnet.l1.chainId,
        to: l1.tokens.USDC,
        value: 0n,
        label: 'approve',
        data: encodeFunctionData({
          abi: ownArtifact('TestERC20').abi,
          functionName: 'approve',
          args: [l1.acrossSpokePool!, 5_000n],
        }),
      },
      {
        chainId: devnet.l1.chainId,
        to: l1.acrossSpokePool!,
        value: 0n,
        label: 'mismatched deposit',
        data: encodeFunctionData({
          abi: spokePoolAbi,
          functionName: 'depositV3Now',
          args: [
            me.address,
            me.address,
            l1.tokens.USDC,
            l2.weth,
            5_000n,
            5_000n,
            BigInt(devnet.l2.chainId),
            '0x0000000000000000000000000000000000000000',
            3_600,
            0,
            '0x',
          ],
        }),
      },
    ])
    const before = await devnet.l2.client.getBalance({ address: me.address })
    const first = relayer()
    let second: ReturnType<typeof relayer> | undefined
    try {
      expect(await first.tick()).toBe(1)
      // Started only now: a relayer polls once at start, and two racing ones would both try the same fill.
      second = relayer()
      expect(await second.tick()).toBe(0)
      expect(await first.tick()).toBe(0)
      expect(await devnet.l2.client.getBalance({ address: me.address })).toBe(before + parseEther('0.5'))
      const fills = await devnet.l2.client.getContractEvents({
        address: l2.acrossSpokePool!,
        abi: spokePoolAbi,
        eventName: 'FilledRelay',
        fromBlock: 0n,
      })
      expect(fills.map((f) => f.args.relayer)).toEqual([
        pad(privateKeyToAccount(DEVNET_ACROSS_RELAYER_KEY).address).toLowerCase(),
      ])
    } finally {
      await Promise.all([first.stop(), second?.stop()])
    }
  })

  it('never pays a pending deposit that an origin reorg removed, and pays the next one', async () => {
    const me = devnet.accounts[1]!
    const { l1, l2 } = devnet.addresses
    const across = acrossRelayer()
    // The relayer's L2 USDC comes over the OP bridge, which nothing relays until the OP relayer starts below:
    // until then USDC deposits wait as pending.
    let opRelayer: ReturnType<typeof startRelayer> | undefined
    try {
      const exec = createWalletExecutor(devnet, me.privateKey)
      const usdc = (n: bigint) => erc20BalanceOf(devnet.l2, l2.tokens.USDC, me.address).then((b) => b - n)
      const start = await usdc(0n)
      await exec.executeCalls([
        {
          chainId: devnet.l1.chainId,
          to: l1.tokens.USDC,
          value: 0n,
          label: 'mint',
          data: encodeFunctionData({
            abi: ownArtifact('TestERC20').abi,
            functionName: 'mint',
            args: [me.address, 10_000_000n],
          }),
        },
      ])
      const deposit = async (amount: bigint) =>
        exec.executeCalls(
          (
            await prepareAdapterCalls(acrossAdapter, devnetContext(devnet, me.address), {
              fromChainId: devnet.l1.chainId,
              toChainId: devnet.l2.chainId,
              token: 'USDC',
              amount: `${amount} wei`,
              relayerFeeBps: 0,
            })
          ).calls,
        )
      const snap = await anvilRpc<string>(devnet.l1.rpcUrl, 'evm_snapshot')
      await deposit(1_111_111n)
      expect(await across.tick()).toBe(0) // seen, pending: no L2 USDC yet
      await anvilRpc(devnet.l1.rpcUrl, 'evm_revert', [snap])
      await anvilRpc(devnet.l1.rpcUrl, 'evm_mine', [])
      opRelayer = startRelayer({
        l1: devnet.l1.client,
        l2: devnet.l2.client,
        l1Bridge: l1.l1StandardBridge,
        l2Bridge: l2.l2StandardBridge,
        pollMs: 60_000,
        l2Wallet: createWalletClient({
          account: privateKeyToAccount(DEVNET_RELAYER_KEY),
          chain: devnet.l2.chain,
          transport: http(devnet.l2.rpcUrl),
        }),
      })
      while ((await opRelayer.tick()) > 0); // the relayer's L2 inventory arrives
      expect(await across.tick()).toBe(0)
      // The next deposit reuses the reverted one's id: it is paid, once.
      await deposit(2_222_222n)
      expect(await across.tick()).toBe(1)
      expect(await across.tick()).toBe(0)
      expect(await usdc(start)).toBe(2_222_222n)
    } finally {
      await Promise.all([across.stop(), opRelayer?.stop()])
    }
  })

  it('verify reports a deposit that expired unfilled, early and without re-sending', async () => {
    const me = devnet.accounts[3]!
    const clock = createManualClock()
    const ctx = devnetContext(devnet, me.address, { clock })
    const p = parseAdapterParams(acrossAdapter, {
      fromChainId: devnet.l1.chainId,
      toChainId: devnet.l2.chainId,
      token: 'ETH',
      amount: '777000 wei',
      fillDeadlineSeconds: 60,
    }) as AcrossParams
    const before = await acrossAdapter.snapshot!(ctx, p)
    await createWalletExecutor(devnet, me.privateKey).executeCalls(await acrossAdapter.buildCalls(ctx, p))
    const waiting = await acrossAdapter.verify!(ctx, p, before, { timeoutMs: 1_000, pollMs: 500 })
    expect(waiting).toEqual({
      ok: false,
      reason: expect.stringMatching(/^deposit \d+ not filled on chain 31338 within 1 s/),
    })
    // The destination's clock passes the fill deadline: no relayer may fill any more.
    await anvilRpc(devnet.l2.rpcUrl, 'evm_increaseTime', [120])
    await anvilRpc(devnet.l2.rpcUrl, 'evm_mine', [])
    const t0 = clock.now()
    const outcome = await acrossAdapter.verify!(ctx, p, before, { timeoutMs: 3_600_000, pollMs: 1_000 })
    expect(outcome).toEqual({
      ok: false,
      reason: expect.stringMatching(/expired unfilled .* refunds it on chain 31337/),
    })
    expect(clock.now() - t0).toBeLessThan(3_600_000)
  })
})
