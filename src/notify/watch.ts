// Periodic checks that turn durable state into events: breaker trips/resets, replaced, dropped or stuck
// transactions, wallets below their floor or gas reserve, and daily caps nearly used.
import { formatEther, formatUnits, getAddress, type Address } from 'viem'
import type { Logger } from '../logging/logger.ts'
import { redactSecrets } from '../logging/redact.ts'
import type { Db } from '../store/database.ts'
import type { EventFields, Severity } from './events.ts'
import { explorerLink, loadExplorers } from './links.ts'
import type { Notifier } from './notifier.ts'

/** One chain as the watcher sees it. */
export interface WatchChain {
  chainId: number
  name: string
  nativeSymbol?: string
  getBalance(address: Address): Promise<bigint>
  /** Alert when a wallet's native balance is below this (wei): the configured floor. */
  floorWei?: bigint
  /** The capital gas reserve of the chain (wei): below it, the alert is an error. */
  gasReserveWei?: bigint
  /** Daily native cap per wallet (wei). */
  dailyNativeCap?: bigint
  /** Daily token caps per wallet, in base units, with what a person reads them as. */
  dailyTokenCaps?: readonly { token: Address; symbol: string; decimals: number; cap: bigint }[]
}

/** Options of createWatcher. */
export interface WatcherOptions {
  db: Db
  notifier: Pick<Notifier, 'emit'>
  chains: readonly WatchChain[]
  wallets: readonly { name: string; address: Address; chains?: readonly number[] }[]
  /** Native amount this wallet committed today on this chain (value + worst-case gas), e.g. the journal's. */
  spentToday?: (chainId: number, wallet: Address) => bigint
  /** Token amounts this wallet committed today on this chain, by token address (any case), e.g. the journal's. */
  tokensSpentToday?: (chainId: number, wallet: Address) => ReadonlyMap<string, bigint>
  dailyCapShare: number
  txStuckAfterMs: number
  logger?: Logger
  now?: () => number
}

/** The periodic checker. */
export interface Watcher {
  /** One pass over every source; errors of one source are logged and do not stop the others. */
  check(): Promise<void>
  start(intervalMs: number): void
  stop(): Promise<void>
}

interface BreakerRow {
  id: number
  kind: string
  causes: string
  detail: string
}
interface TxRow {
  id: number
  root_id: number
  run_id: string
  chain_id: number
  from_addr: string
  nonce: number | null
  kind: string
  status: string
  tx_hash: string | null
  updated_at: number
  broadcast_at: number | null
  max_fee_per_gas: string | null
}

const LOCAL_CHAINS = new Set([31337, 31338, 1337])
const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`

/** Creates the watcher; cursors live in `notify_cursors` so a restart continues where it stopped. */
export function createWatcher(options: WatcherOptions): Watcher {
  const { db, notifier } = options
  const now = options.now ?? Date.now
  const log = options.logger?.child({ component: 'notify-watch' })
  const chainOf = new Map(options.chains.map((c) => [c.chainId, c]))
  const walletName = new Map(options.wallets.map((w) => [w.address.toLowerCase(), w.name]))
  const getCursor = db.prepare('SELECT value FROM notify_cursors WHERE name = ?')
  const setCursor = db.prepare(`INSERT INTO notify_cursors (name, value) VALUES (?, ?)
    ON CONFLICT(name) DO UPDATE SET value = excluded.value`)
  const everQueued = db.prepare('SELECT 1 FROM notify_outbox WHERE dedup_key = ? LIMIT 1')
  /** First use starts at the current end of the source: history from before notifications existed is not replayed. */
  const cursor = (name: string, initial: () => number): number => {
    const row = getCursor.get(name) as { value: number } | undefined
    if (row) return row.value
    const v = initial()
    setCursor.run(name, v)
    return v
  }
  const balanceLevel = new Map<string, Severity | 'ok'>()
  const stuckSeen = new Set<number>()
  const seen = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> | undefined
  let stopped = false

  const chainFields = (chainId: number) => ({ chainId, chain: chainOf.get(chainId)?.name })
  // The journal keeps addresses lowercase; people read the checksummed form.
  const walletLabel = (addr: string) => {
    const n = walletName.get(addr.toLowerCase())
    const a = getAddress(addr)
    return n ? `${n} (${short(a)})` : a
  }
  // Six decimals are enough to act on; a top-up is rounded up so that sending it clears the floor.
  const amount = (wei: bigint, chainId: number, up = false) => {
    const unit = 10n ** 12n
    const q = up ? ((wei + unit - 1n) / unit) * unit : (wei / unit) * unit
    return `${formatEther(q)} ${chainOf.get(chainId)?.nativeSymbol ?? 'ETH'}`
  }

  function breakerEvents(): void {
    const max = () => (db.prepare('SELECT coalesce(max(id), 0) AS m FROM risk_breaker_events').get() as { m: number }).m
    const from = cursor('breaker_event', max)
    const rows = db
      .prepare('SELECT id, kind, causes, detail FROM risk_breaker_events WHERE id > ? ORDER BY id')
      .all(from) as BreakerRow[]
    for (const r of rows) {
      const kinds = (JSON.parse(r.causes) as { kind: string }[]).map((c) => c.kind).join(', ')
      if (r.kind === 'trip' || r.kind === 'manual_halt') {
        notifier.emit({
          kind: 'breaker_tripped',
          severity: r.kind === 'trip' ? 'critical' : 'warning',
          title:
            r.kind === 'trip'
              ? `circuit breaker tripped (${kinds}): sending is halted`
              : `sending halted by hand: ${r.detail}`,
          action:
            r.kind === 'trip'
              ? `check the cause (${r.detail.slice(0, 160)}); it resets by itself once cleared, or \`bot status\` shows it`
              : 'release it when ready (see `bot status`)',
          dedupKey: `breaker:${r.id}`,
          fields: {},
        })
      } else if (r.kind === 'reset' || r.kind === 'manual_release') {
        notifier.emit({
          kind: 'breaker_reset',
          severity: 'info',
          title: `circuit breaker closed (${r.kind === 'reset' ? 'every cause cleared' : 'released by hand'}): sending resumes`,
          action: 'nothing to do',
          dedupKey: `breaker:${r.id}`,
          fields: {},
        })
      }
      setCursor.run('breaker_event', r.id)
    }
  }

  /** The fields every transaction alert carries: run, wallet, chain and the tx with its explorer link. */
  function txFields(r: TxRow): EventFields {
    return {
      run: r.run_id,
      wallet: walletLabel(r.from_addr),
      ...chainFields(r.chain_id),
      txHash: r.tx_hash ?? undefined,
      link: explorerLink(r.chain_id, { tx: r.tx_hash ?? undefined }),
    }
  }

  function txEvents(): void {
    const cols =
      'id, root_id, run_id, chain_id, from_addr, nonce, kind, status, tx_hash, updated_at, broadcast_at, max_fee_per_gas'
    const maxId = () => (db.prepare('SELECT coalesce(max(id), 0) AS m FROM tx_intents').get() as { m: number }).m
    const fromId = cursor('tx_replacement', maxId)
    const replaced = db
      .prepare(`SELECT ${cols} FROM tx_intents WHERE id > ? AND kind != 'normal' AND dry_run = 0 ORDER BY id`)
      .all(fromId) as TxRow[]
    for (const r of replaced) {
      const cancel = r.kind === 'cancel'
      notifier.emit({
        kind: 'tx_replaced',
        severity: cancel ? 'warning' : 'info',
        title: cancel
          ? `transaction at nonce ${r.nonce} cancelled (past its deadline)`
          : `transaction at nonce ${r.nonce} re-sent with a higher fee`,
        action: cancel
          ? 'the run will be retried or reconciled; check the job if it keeps happening'
          : 'nothing to do unless fees keep rising',
        dedupKey: `tx_replaced:${r.id}`,
        fields: txFields(r),
      })
      setCursor.run('tx_replacement', r.id)
    }
    const fromAt = cursor('tx_status_at', now)
    // `>=`: another row may change in the same millisecond as the last one read; the outbox check skips repeats.
    const dropped = db
      .prepare(
        `SELECT ${cols} FROM tx_intents WHERE updated_at >= ? AND status IN ('dropped', 'needs_attention')
      AND dry_run = 0 ORDER BY updated_at`,
      )
      .all(fromAt) as TxRow[]
    for (const r of dropped) {
      const key = `tx_dropped:${r.root_id}:${r.status}`
      if (!seen.has(key) && !everQueued.get(key)) {
        seen.add(key)
        notifier.emit({
          kind: 'tx_dropped',
          severity: r.status === 'needs_attention' ? 'error' : 'warning',
          title:
            r.status === 'dropped'
              ? `transaction at nonce ${r.nonce} dropped from the mempool`
              : `transaction at nonce ${r.nonce} needs attention`,
          action:
            r.status === 'dropped'
              ? 'the engine re-sends its signed bytes; if it stays dropped, check fees and the node'
              : 'inspect it with `bot status`; the run stays unsettled until resolved',
          dedupKey: key,
          fields: txFields(r),
        })
      }
      setCursor.run('tx_status_at', r.updated_at)
    }
    const stuck = db
      .prepare(
        `SELECT ${cols} FROM tx_intents WHERE status IN ('broadcast', 'unknown') AND dry_run = 0
      AND broadcast_at IS NOT NULL AND broadcast_at < ?`,
      )
      .all(now() - options.txStuckAfterMs) as TxRow[]
    for (const r of stuck) {
      if (stuckSeen.has(r.root_id)) continue
      stuckSeen.add(r.root_id)
      const key = `tx_stuck:${r.root_id}`
      if (everQueued.get(key)) continue
      const mins = Math.round((now() - (r.broadcast_at ?? now())) / 60_000)
      notifier.emit({
        kind: 'tx_stuck',
        severity: 'warning',
        title: `transaction at nonce ${r.nonce} not mined after ${mins} min`,
        action: "the engine bumps its fee up to the cap; raise the chain's maxFeePerGas if the network stays expensive",
        dedupKey: key,
        fields: txFields(r),
      })
    }
  }

  async function balances(): Promise<void> {
    await Promise.all(
      options.chains.flatMap((c) =>
        options.wallets
          .filter((w) => !w.chains || w.chains.includes(c.chainId))
          .map(async (w) => {
            const floor = c.floorWei ?? 0n
            const reserve = c.gasReserveWei ?? 0n
            if (floor === 0n && reserve === 0n) return
            let balance: bigint
            try {
              balance = await c.getBalance(w.address)
            } catch (err) {
              log?.warn(
                { chainId: c.chainId, wallet: w.name, reason: err instanceof Error ? err.name : 'unknown' },
                'balance check failed',
              )
              return
            }
            const key = `${c.chainId}:${w.address.toLowerCase()}`
            const level: Severity | 'ok' = balance < reserve ? 'error' : balance < floor ? 'warning' : 'ok'
            const before = balanceLevel.get(key) ?? 'ok'
            balanceLevel.set(key, level)
            if (level === 'ok' || level === before || (before === 'error' && level === 'warning')) return
            const threshold = level === 'error' ? reserve : floor
            const topUp = (floor > reserve ? floor : reserve) - balance
            notifier.emit({
              kind: 'balance_low',
              severity: level,
              title: `wallet ${w.name} on ${c.name} has ${amount(balance, c.chainId)}, below its ${level === 'error' ? 'gas reserve' : 'floor'}`,
              action: `send at least ${amount(topUp, c.chainId, true)} to ${w.address}; jobs on this chain may fail for gas until then`,
              dedupKey: `balance_low:${key}:${level}`,
              fields: {
                wallet: walletLabel(w.address),
                ...chainFields(c.chainId),
                amount: amount(balance, c.chainId),
                threshold: amount(threshold, c.chainId),
                link: explorerLink(c.chainId, { address: w.address }),
              },
            })
          }),
      ),
    )
  }

  /** Warns once (per dedup key) when a wallet has used `dailyCapShare` of a daily cap, native or token. */
  function capWarning(
    c: WatchChain,
    w: WatcherOptions['wallets'][number],
    key: string,
    spent: bigint,
    cap: bigint,
    fmt: (v: bigint) => string,
    what: string,
    capField: string,
  ): void {
    const limit = (cap * BigInt(Math.round(options.dailyCapShare * 10_000))) / 10_000n
    if (spent < limit || everQueued.get(key)) return
    const pct = Number((spent * 1000n) / cap) / 10
    notifier.emit({
      kind: 'daily_cap',
      severity: 'warning',
      title: `wallet ${w.name} used ${pct} % of its daily ${what}cap on ${c.name} (${fmt(spent)} of ${fmt(cap)})`,
      action: `sends past the cap are refused until 00:00 UTC; raise chains[].caps.${capField} if this is expected`,
      dedupKey: key,
      fields: { wallet: walletLabel(w.address), ...chainFields(c.chainId), amount: fmt(spent), threshold: fmt(cap) },
    })
  }

  function dailyCaps(): void {
    dailyTokenCaps()
    if (!options.spentToday) return
    const day = new Date(now()).toISOString().slice(0, 10)
    for (const c of options.chains) {
      if (!c.dailyNativeCap || c.dailyNativeCap <= 0n) continue
      for (const w of options.wallets) {
        if (w.chains && !w.chains.includes(c.chainId)) continue
        const spent = options.spentToday(c.chainId, w.address)
        const key = `daily_cap:${c.chainId}:${w.address.toLowerCase()}:${day}`
        capWarning(c, w, key, spent, c.dailyNativeCap, (v) => amount(v, c.chainId), '', 'dailyNative')
      }
    }
  }

  /** The same 80 % warning for each token cap (chains[].caps.dailyTokens), once per wallet, token and day. */
  function dailyTokenCaps(): void {
    if (!options.tokensSpentToday) return
    const day = new Date(now()).toISOString().slice(0, 10)
    for (const c of options.chains) {
      if (!c.dailyTokenCaps?.length) continue
      for (const w of options.wallets) {
        if (w.chains && !w.chains.includes(c.chainId)) continue
        const spentByToken = new Map(
          [...options.tokensSpentToday(c.chainId, w.address)].map(([t, v]) => [t.toLowerCase(), v]),
        )
        for (const t of c.dailyTokenCaps) {
          if (t.cap <= 0n) continue
          const spent = spentByToken.get(t.token.toLowerCase()) ?? 0n
          const key = `daily_cap:${c.chainId}:${w.address.toLowerCase()}:${t.token.toLowerCase()}:${day}`
          const fmt = (v: bigint) => `${formatUnits(v, t.decimals)} ${t.symbol}`
          capWarning(c, w, key, spent, t.cap, fmt, `${t.symbol} `, `dailyTokens.${t.symbol}`)
        }
      }
    }
  }

  async function check(): Promise<void> {
    for (const [name, step] of [
      ['breaker', breakerEvents],
      ['journal', txEvents],
      ['caps', dailyCaps],
      ['balances', balances],
    ] as const) {
      try {
        await step()
      } catch (err) {
        log?.error(
          { source: name, reason: err instanceof Error ? redactSecrets(err.message).slice(0, 200) : 'unknown' },
          'notify check failed',
        )
      }
    }
  }

  const loop = (ms: number) => {
    if (stopped) return
    running = check().finally(() => {
      if (!stopped) timer = setTimeout(() => loop(ms), ms)
    })
  }
  return {
    check,
    start(ms) {
      stopped = false
      // Local devnet chain ids have no explorer: skip loading the table there.
      if (options.chains.some((c) => !LOCAL_CHAINS.has(c.chainId))) void loadExplorers().catch(() => undefined)
      loop(ms)
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}
