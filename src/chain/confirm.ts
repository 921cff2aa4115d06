// Drives one intent to its end: receipt with N confirmations, watchdog rebroadcast, fee bumps, cancel, reorg checks.
import { keccak256, type Hex, type LocalAccount } from 'viem'
import type { Logger } from '../logging/logger.ts'
import type { IntentJournal, IntentRow, IntentStatus } from './intent-types.ts'
import { OPEN_STATUSES } from './intent-types.ts'
import type { StepHook } from './nonce-lane.ts'
import type { BroadcastOutcome, MinimalReceipt, RpcSteps } from './rpc-steps.ts'
import { bumpedFees, estimateCappedFees, type FeeLimits } from './tx-fees.ts'
import { IntentPendingError } from './tx-errors.ts'
import type { BlockWatcher } from './block-watcher.ts'

/** Per-chain confirmation settings. */
export interface ConfirmSettings {
  /** Blocks on top of (and including) the receipt's block before an intent counts as confirmed. */
  confirmations: number
  pollMs: number
  /** An accepted but unmined attempt is re-sent (same bytes) this often: the watchdog for silent nodes. */
  rebroadcastMs: number
  /** No receipt this long after an attempt was signed: sign a fee-bump replacement at the same nonce. */
  stuckAfterMs: number
  maxBumps: number
  /** How long a used nonce with no receipt of ours must last before the intent goes to needs_attention. */
  foreignNonceGraceMs: number
  fees: FeeLimits
}

/** How an intent ended. */
export type IntentOutcome =
  | { status: 'confirmed'; row: IntentRow; receipt: MinimalReceipt }
  | { status: 'failed'; code: 'TX_REVERTED' | 'TX_CANCELLED'; reason: string; row: IntentRow }
  | { status: 'needs_attention'; reason: string }

/** What the confirm loop uses. */
export interface ConfirmContext {
  settings: ConfirmSettings
  rpc: RpcSteps
  journal: IntentJournal
  /** The wallet's signer, for replacements and cancels; without it the loop only watches and rebroadcasts. */
  account: LocalAccount | undefined
  logger: Logger
  now: () => number
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  onStep?: StepHook
  /** Shared block scanner: between direct receipt checks, waiting costs no RPC. */
  watcher?: BlockWatcher
}

const isOpen = (s: IntentStatus) => OPEN_STATUSES.includes(s)

/** Writes a broadcast outcome to the journal; an unknown outcome never becomes `failed`. */
export function applyBroadcast(journal: IntentJournal, row: IntentRow, outcome: BroadcastOutcome): void {
  const current = journal.get(row.id)?.status ?? row.status
  if (!isOpen(current)) return
  switch (outcome.kind) {
    case 'accepted':
      journal.setStatus(row.id, current === 'mined' ? 'mined' : 'broadcast', { broadcast: true })
      return
    case 'unknown':
      if (current === 'signed' || current === 'dropped')
        journal.setStatus(row.id, 'unknown', { error: outcome.error.message })
      return
    case 'nonce_too_low':
      // The nonce is used: by this very tx (mined) or by another one. The confirm loop decides from receipts.
      journal.setStatus(row.id, current, { error: outcome.error.message })
      return
    case 'rejected':
      if (current !== 'mined') journal.setStatus(row.id, 'dropped', { error: outcome.error.message })
  }
}

/** Terminal outcome already recorded in the journal for a group, if any. */
export function settledOutcome(group: IntentRow[]): IntentOutcome | undefined {
  if (group.some((r) => isOpen(r.status))) return undefined
  const won = group.find((r) => r.status === 'confirmed')
  if (won) {
    const receipt: MinimalReceipt = {
      transactionHash: won.hash as Hex,
      blockHash: won.blockHash as Hex,
      blockNumber: won.blockNumber ?? 0,
      status: 'success',
    }
    if (won.kind === 'cancel')
      return { status: 'failed', code: 'TX_CANCELLED', reason: 'cancelled past its validity', row: won }
    return { status: 'confirmed', row: won, receipt }
  }
  const failed = group.find((r) => r.status === 'failed')
  if (failed) return { status: 'failed', code: 'TX_REVERTED', reason: failed.error ?? 'failed', row: failed }
  const attention = group.find((r) => r.status === 'needs_attention')
  return { status: 'needs_attention', reason: attention?.error ?? 'intent has no open attempt and no outcome' }
}

/**
 * Loops until the group (original + replacements + cancel) is settled. Every step is a repeatable read or a
 * rebroadcast of already journaled bytes; new bytes are only a fee-bump or a cancel at the same nonce, each
 * journaled (fsync) before it is broadcast. RPC failures only delay the loop. Aborting leaves the intent open.
 */
export async function driveIntent(
  ctx: ConfirmContext,
  rootId: number,
  signal?: AbortSignal,
  justBroadcast = false,
): Promise<IntentOutcome> {
  const { journal, rpc, settings, logger } = ctx
  let warnedCap = false
  /** When the nonce was first seen used with no receipt of ours: nodes may index receipts after state. */
  let consumedSince: number | undefined
  const watcher = ctx.watcher
  const watchedHashes = new Set<Hex>()
  /** Direct receipt/nonce checks (the watchdog) run at least this often even when the block scan is quiet. */
  const directEveryMs = watcher ? Math.max(settings.pollMs * 10, Math.min(settings.rebroadcastMs, 1_000)) : 0
  // The first look is direct (an automining node has the receipt already); after it the block scan wakes us.
  let lastDirect = Number.NEGATIVE_INFINITY
  let skipNonceCheck = justBroadcast
  /** When this loop last re-sent each attempt: an answer that is no acceptance (nonce too low, an RPC error) leaves
   * the journal's broadcast time as it was, and without this the same bytes would go out on every pass. */
  const resentAt = new Map<number, number>()
  try {
    for (;;) {
      const group = journal.group(rootId)
      const settled = settledOutcome(group)
      if (settled) return settled
      if (signal?.aborted) throw new IntentPendingError(rootId, 'waiting was aborted')
      for (const r of group) {
        if (watcher && r.hash && isOpen(r.status) && !watchedHashes.has(r.hash)) {
          watcher.watch(r.hash)
          watchedHashes.add(r.hash)
        }
      }
      try {
        const t = ctx.now()
        const direct = t - lastDirect >= directEveryMs || group.some((r) => r.status === 'mined')
        if (direct) lastDirect = t
        const outcome = await step(group, direct)
        if (outcome) return outcome
      } catch (err) {
        if (signal?.aborted) throw new IntentPendingError(rootId, 'waiting was aborted')
        logger.warn({ intentId: rootId, err }, 'confirm step failed; retrying')
      }
      // Woken early by the block scan; otherwise only as often as a timed action (rebroadcast, bump) may be due.
      // While counting confirmations, poll at the normal pace.
      const counting = journal.group(rootId).some((r) => r.status === 'mined')
      if (watcher && !counting) {
        await watcher.wait(
          watchedHashes,
          Math.max(settings.pollMs, Math.min(settings.rebroadcastMs, settings.stuckAfterMs) / 2),
          signal,
        )
      } else {
        await ctx.sleep(settings.pollMs, signal).catch(() => undefined)
      }
    }
  } finally {
    for (const h of watchedHashes) watcher?.unwatch(h)
  }

  async function findMined(
    attempts: IntentRow[],
    direct: boolean,
  ): Promise<{ row: IntentRow; receipt: MinimalReceipt } | undefined> {
    for (const a of [...attempts].reverse()) {
      if (!direct && !watcher?.seen(a.hash as Hex)) continue
      const receipt = await rpc.receipt(a.hash as Hex, signal)
      if (receipt) return { row: a, receipt }
    }
    return undefined
  }

  async function step(group: IntentRow[], direct: boolean): Promise<IntentOutcome | undefined> {
    const attempts = group.filter((r) => isOpen(r.status) && r.hash)
    const root = group[0]!
    const nonce = root.nonce as number
    const found = await findMined(attempts, direct)
    if (found) return onMined(found.row, found.receipt)
    if (!direct) return timedActions(group, root, nonce)
    if (skipNonceCheck) {
      // Just broadcast and not mined yet: nothing to learn from the nonce so soon.
      skipNonceCheck = false
      return timedActions(group, root, nonce)
    }
    for (const a of attempts) {
      if (a.status === 'mined') {
        logger.warn(
          { intentId: a.id, hash: a.hash, block: a.blockNumber },
          'receipt gone (reorg): re-sending the same bytes',
        )
        journal.setStatus(a.id, 'dropped', { blockHash: null, blockNumber: null, error: 'reorged out' })
      }
    }
    const latest = await rpc.nonce(root.from, 'latest', signal)
    if (latest > nonce) {
      // Nonce used but no receipt for any of our hashes: a node may expose the new state before the receipts,
      // so only a condition that lasts past the grace period means someone else used the nonce.
      const again = await findMined(attempts, true)
      if (again) return onMined(again.row, again.receipt)
      consumedSince ??= ctx.now()
      if (ctx.now() - consumedSince < settings.foreignNonceGraceMs) return undefined
      const reason = `nonce ${nonce} of ${root.from} on chain ${root.chainId} was used by a transaction the bot did not sign`
      journal.closeGroup(rootId, 'needs_attention', reason)
      logger.error({ intentId: rootId, runId: root.runId, nonce }, reason)
      return { status: 'needs_attention', reason }
    }
    consumedSince = undefined
    return timedActions(group, root, nonce)
  }

  /** Rebroadcast of the same bytes when due, then a fee bump or a cancel when their time has come. */
  async function timedActions(group: IntentRow[], root: IntentRow, nonce: number): Promise<IntentOutcome | undefined> {
    const fresh = journal.group(rootId).filter((r) => isOpen(r.status) && r.hash)
    const last = fresh[fresh.length - 1]
    if (!last) return undefined
    const t = ctx.now()
    const resent = resentAt.get(last.id) ?? Number.NEGATIVE_INFINITY
    const due =
      last.status === 'signed' || last.status === 'unknown' || last.status === 'dropped'
        ? t - Math.max(last.broadcastAt ?? 0, resent) >= Math.min(settings.rebroadcastMs, settings.pollMs * 4)
        : t - Math.max(last.broadcastAt ?? last.createdAt, resent) >= settings.rebroadcastMs
    if (due) {
      resentAt.set(last.id, t)
      applyBroadcast(journal, last, await rpc.broadcast(last.rawTx as Hex))
    }
    const cancel = fresh.find((r) => r.kind === 'cancel')
    const validUntil = root.validUntil ?? Number.MAX_SAFE_INTEGER
    if (!cancel && t >= validUntil) {
      await signFollowUp(last, 'cancel')
    } else if (
      !cancel &&
      t - last.createdAt >= settings.stuckAfterMs &&
      group.filter((r) => r.kind === 'replacement').length < settings.maxBumps
    ) {
      await signFollowUp(last, 'replacement')
    } else if (cancel && t - cancel.createdAt >= settings.stuckAfterMs * (settings.maxBumps + 1)) {
      const reason = `cancel of intent ${rootId} at nonce ${nonce} not mined in time`
      journal.closeGroup(rootId, 'needs_attention', reason)
      return { status: 'needs_attention', reason }
    }
    return undefined
  }

  async function onMined(row: IntentRow, receipt: MinimalReceipt): Promise<IntentOutcome | undefined> {
    if (receipt.status === 'reverted') {
      journal.settleGroup(rootId, row.id, 'failed', {
        blockHash: receipt.blockHash,
        blockNumber: receipt.blockNumber,
        error: 'reverted on chain',
      })
      return {
        status: 'failed',
        code: 'TX_REVERTED',
        reason: 'the transaction was mined and reverted',
        row: journal.get(row.id)!,
      }
    }
    if (row.status === 'mined' && row.blockHash && row.blockHash !== receipt.blockHash) {
      logger.warn(
        { intentId: row.id, hash: row.hash, from: row.blockNumber, to: receipt.blockNumber },
        'reorg: the transaction moved to another block; confirmations restart',
      )
    }
    // With one confirmation the receipt settles it at once: no intermediate 'mined' write (a crash before the
    // settle leaves 'broadcast', which reconciliation resolves from the same receipt).
    if (settings.confirmations > 1 && (row.status !== 'mined' || row.blockHash !== receipt.blockHash)) {
      journal.setStatus(row.id, 'mined', { blockHash: receipt.blockHash, blockNumber: receipt.blockNumber })
    }
    if (
      settings.confirmations > 1 &&
      (await rpc.blockNumber(signal)) - receipt.blockNumber + 1 < settings.confirmations
    ) {
      return undefined
    }
    if (settings.confirmations > 1) {
      const again = await rpc.receipt(row.hash as Hex, signal)
      if (!again || again.blockHash !== receipt.blockHash) return undefined
    }
    journal.settleGroup(rootId, row.id, 'confirmed', { blockHash: receipt.blockHash, blockNumber: receipt.blockNumber })
    const settledRow = journal.get(row.id)!
    if (row.kind === 'cancel') {
      return {
        status: 'failed',
        code: 'TX_CANCELLED',
        reason: 'not mined before its validity; cancelled',
        row: settledRow,
      }
    }
    return { status: 'confirmed', row: settledRow, receipt }
  }

  async function signFollowUp(last: IntentRow, kind: 'replacement' | 'cancel'): Promise<void> {
    if (!ctx.account) return
    const current = await estimateCappedFees(rpc, settings.fees, signal).catch(() => undefined)
    const fees = bumpedFees(
      { maxFeePerGas: last.maxFeePerGas ?? 0n, maxPriorityFeePerGas: last.maxPriorityFeePerGas ?? 0n },
      current,
      settings.fees,
    )
    if (!fees) {
      if (!warnedCap) logger.warn({ intentId: rootId, kind }, 'fee bump would exceed the cap; waiting instead')
      warnedCap = true
      return
    }
    const root = journal.get(rootId)!
    const isCancel = kind === 'cancel'
    const tx = {
      to: isCancel ? root.from : root.to,
      value: isCancel ? 0n : root.value,
      data: (isCancel ? '0x' : root.data) as Hex,
      gas: isCancel ? 21_000n : (root.gasLimit ?? 21_000n),
    }
    const rawTx = await ctx.account.signTransaction({
      chainId: root.chainId,
      type: 'eip1559',
      nonce: root.nonce as number,
      ...tx,
      ...fees,
    })
    const [row] = journal.recordBatch([
      {
        rootId,
        runId: root.runId,
        callIndex: root.callIndex,
        chainId: root.chainId,
        from: root.from,
        nonce: root.nonce,
        to: tx.to,
        value: tx.value,
        data: tx.data,
        dataHash: keccak256(tx.data),
        tokenAddress: isCancel ? null : root.tokenAddress,
        tokenAmount: isCancel ? null : root.tokenAmount,
        kind,
        rawTx,
        hash: keccak256(rawTx),
        gasLimit: tx.gas,
        ...fees,
        validUntil: root.validUntil,
      },
    ])
    logger.info(
      { intentId: rootId, kind, nonce: root.nonce, maxFeePerGas: fees.maxFeePerGas.toString() },
      kind === 'cancel'
        ? 'past validity: cancelling at the same nonce'
        : 'not mined in time: fee bump at the same nonce',
    )
    applyBroadcast(journal, row!, await rpc.broadcast(rawTx))
  }
}
