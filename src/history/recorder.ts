// Writes the dashboard's chart history at a bounded rate: base fees per market assessment, wallet balances, the fee
// each mined transaction paid, and the base fee a gas-delayed run faced when it fell due (for the savings figure).
import { erc20Abi, formatUnits, type Address, type PublicClient } from 'viem'
import type { Logger } from '../logging/logger.ts'
import type { RiskAssessment } from '../risk/assessment.ts'
import type { GasSnapshot } from '../risk/gas-oracle.ts'
import type { Db } from '../store/database.ts'
import type { AddressBook } from '../../protocols/types.ts'

/** What the recorder reads and where it writes. */
export interface HistoryRecorderDeps {
  db: Db
  clients: Record<number, PublicClient>
  /** The operator's wallets; each is sampled on every configured chain. */
  wallets: readonly Address[]
  /** Tracked tokens per chain (their balances are sampled beside the native coin). */
  book: AddressBook
  logger: Logger
  /** At most one base-fee sample per chain per this many ms (default 60 s). */
  baseFeeEveryMs?: number
  /** At most one balance sweep per this many ms (default 5 min): each sweep costs RPC reads. */
  balanceEveryMs?: number
  now?: () => number
}

/** What a gas-policy delay tells the recorder about a run. */
export interface DelayedRun {
  /** The run's origin id: its transactions' fees are recorded under it, even when a recovery run sends them. */
  runId: string
  chainId: number
  dueAt: number
  gas: GasSnapshot | undefined
}

/** The recorder's entry points; none of them throws into the caller (history never breaks the bot). */
export interface HistoryRecorder {
  /** Records base fees and starts a background sweep of balances and fees (single flight). */
  onAssessment(a: RiskAssessment): void
  /** Records the due-time base fee of a run the gas policy delayed (first delay only). */
  onGasDelay(run: DelayedRun): void
  /** One balance sweep now (rate-limited unless `force`); resolves to the rows written. */
  sampleBalances(force?: boolean): Promise<number>
  /** Records the fee of mined journal attempts that have none yet (at most 50 per call). */
  recordFees(): Promise<number>
  /** Resolves when the background sweep in flight (if any) has ended. */
  idle(): Promise<void>
}

const FEE_BATCH = 50

type BalanceRow = [chainId: number, wallet: string, asset: string, at: number, amount: string, units: number]

/** Creates the recorder over migration 0013's history tables. */
export function createHistoryRecorder(deps: HistoryRecorderDeps): HistoryRecorder {
  const { db, logger } = deps
  const now = deps.now ?? Date.now
  const baseEvery = deps.baseFeeEveryMs ?? 60_000
  const balanceEvery = deps.balanceEveryMs ?? 300_000
  const lastBase = new Map<number, number>()
  let lastBalances = Number.NEGATIVE_INFINITY
  let sweep: Promise<void> | null = null

  const putBase = db.prepare('INSERT OR IGNORE INTO history_base_fee (chain_id, at, base_fee) VALUES (?, ?, ?)')
  const putBalance = db.prepare(
    'INSERT OR REPLACE INTO history_balance (chain_id, wallet, asset, at, amount, units) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const putTiming =
    db.prepare(`INSERT OR IGNORE INTO history_gas_timing (run_id, chain_id, due_at, due_base_fee, delayed_at)
    VALUES (?, ?, ?, ?, ?)`)
  const unpriced = db.prepare(`SELECT i.id, i.run_id, i.chain_id, i.tx_hash FROM tx_intents i
    LEFT JOIN history_tx_fee f ON f.intent_id = i.id
    WHERE i.status IN ('mined', 'confirmed') AND i.dry_run = 0 AND i.tx_hash IS NOT NULL AND f.intent_id IS NULL
    ORDER BY i.id LIMIT ${FEE_BATCH}`)
  const putFee =
    db.prepare(`INSERT OR IGNORE INTO history_tx_fee (intent_id, run_id, chain_id, gas_used, effective_gas_price,
    block_base_fee, fee_wei, mined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)

  const sweepChain = async (chainId: number, client: PublicClient, at: number): Promise<BalanceRow[]> => {
    const rows: BalanceRow[] = []
    const tokens = Object.values(deps.book[chainId]?.tokens ?? {})
    const native = client.chain?.nativeCurrency ?? { symbol: 'ETH', decimals: 18 }
    for (const wallet of deps.wallets) {
      const w = wallet.toLowerCase()
      const bal = await client.getBalance({ address: wallet })
      rows.push([chainId, w, native.symbol, at, bal.toString(), Number(formatUnits(bal, native.decimals))])
      for (const t of tokens) {
        const amount = await client.readContract({
          address: t.address,
          abi: erc20Abi,
          functionName: 'balanceOf',
          args: [wallet],
        })
        rows.push([chainId, w, t.symbol, at, amount.toString(), Number(formatUnits(amount, t.decimals))])
      }
    }
    return rows
  }

  const recorder: HistoryRecorder = {
    onAssessment(a) {
      try {
        for (const g of Object.values(a.gas)) {
          if (g.status !== 'fresh' || g.baseFee === null) continue
          const last = lastBase.get(g.chainId) ?? Number.NEGATIVE_INFINITY
          if (a.at - last < baseEvery) continue
          lastBase.set(g.chainId, a.at)
          putBase.run(g.chainId, a.at, g.baseFee)
        }
      } catch (err) {
        logger.warn({ err }, 'history: base-fee sample not written')
      }
      sweep ??= (async () => {
        await recorder.sampleBalances().catch((err) => logger.warn({ err }, 'history: balance sweep failed'))
        await recorder.recordFees().catch((err) => logger.warn({ err }, 'history: fee recording failed'))
      })().finally(() => {
        sweep = null
      })
    },
    onGasDelay(run) {
      const fee = run.gas && run.gas.status === 'fresh' ? (run.gas.nextBaseFee ?? run.gas.baseFee) : null
      if (fee === null || run.chainId < 0) return
      try {
        putTiming.run(run.runId, run.chainId, run.dueAt, fee.toString(), now())
      } catch (err) {
        logger.warn({ err, runId: run.runId }, 'history: due-time base fee not written')
      }
    },
    async sampleBalances(force = false) {
      const at = now()
      if (!force && at - lastBalances < balanceEvery) return 0
      lastBalances = at
      const rows: BalanceRow[] = []
      // One chain's failing RPC (or a token missing there) costs that chain's samples only, not the whole sweep.
      await Promise.all(
        Object.entries(deps.clients).map(async ([id, client]) =>
          sweepChain(Number(id), client, at).then(
            (r) => rows.push(...r),
            (err) => logger.warn({ err, chainId: Number(id) }, 'history: balances not sampled'),
          ),
        ),
      )
      db.transaction(() => {
        for (const r of rows) putBalance.run(...r)
      })()
      return rows.length
    },
    async recordFees() {
      const open = unpriced.all() as { id: number; run_id: string; chain_id: number; tx_hash: `0x${string}` }[]
      let n = 0
      for (const i of open) {
        const client = deps.clients[i.chain_id]
        if (!client) continue
        const receipt = await client.getTransactionReceipt({ hash: i.tx_hash })
        const block = await client.getBlock({ blockNumber: receipt.blockNumber })
        const fee = receipt.gasUsed * receipt.effectiveGasPrice
        putFee.run(
          i.id,
          i.run_id,
          i.chain_id,
          receipt.gasUsed.toString(),
          receipt.effectiveGasPrice.toString(),
          (block.baseFeePerGas ?? 0n).toString(),
          fee.toString(),
          Number(block.timestamp) * 1000,
        )
        n++
      }
      return n
    },
    idle: async () => {
      await sweep
    },
  }
  return recorder
}
