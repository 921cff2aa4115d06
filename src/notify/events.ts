// What the bot tells its operator: event kinds, severities and the secret-free shape every channel renders.

/** Severities in ascending order; a channel receives events at or above its `minSeverity`. */
export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const
/** How urgent an event is. */
export type Severity = (typeof SEVERITIES)[number]

/** Every kind of event a channel may subscribe to (`all` in the config means every one). */
export const EVENT_KINDS = [
  'run_failed',
  'breaker_tripped',
  'breaker_reset',
  'tx_stuck',
  'tx_replaced',
  'tx_dropped',
  'balance_low',
  'daily_cap',
  'bot_started',
  'bot_stopped',
  'bot_recovered',
  'job_delayed',
  'test',
] as const
/** One event kind. */
export type EventKind = (typeof EVENT_KINDS)[number]

/** Context a message shows; amounts are already in human units ("0.012 ETH"). */
export interface EventFields {
  job?: string
  run?: string
  wallet?: string
  chainId?: number
  chain?: string
  amount?: string
  threshold?: string
  txHash?: string
  /** Explorer or dashboard link. */
  link?: string
}

/** One event as stored in the outbox and rendered by every channel. Never holds a key, token or RPC URL. */
export interface NotifyEvent {
  kind: EventKind
  severity: Severity
  /** One short line: what happened. */
  title: string
  /** One short line: what the operator should do. */
  action: string
  /** Events with the same key are one condition: repeats inside the dedup window are grouped, not sent. */
  dedupKey: string
  fields: EventFields
  at: number
}

/** True when `severity` is at or above `min`. */
export function atLeast(severity: Severity, min: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(min)
}

/** The plain-text message every chat channel sends: title, context line, action, link. */
export function renderText(e: NotifyEvent, prefix = 'airdrops'): string {
  const f = e.fields
  const ctx = [
    f.job && `job ${f.job}`,
    f.run && `run ${f.run}`,
    f.wallet && `wallet ${f.wallet}`,
    (f.chain || f.chainId) && `chain ${f.chain ?? ''}${f.chain && f.chainId ? ` (${f.chainId})` : (f.chainId ?? '')}`,
    f.amount && `amount ${f.amount}`,
    f.threshold && `threshold ${f.threshold}`,
    f.txHash && `tx ${f.txHash}`,
  ]
    .filter(Boolean)
    .join(' · ')
  const lines = [`[${prefix}] ${e.severity.toUpperCase()}: ${e.title}`]
  if (ctx) lines.push(ctx)
  if (e.action) lines.push(`→ ${e.action}`)
  if (f.link) lines.push(f.link)
  return lines.join('\n')
}
