// Crash-test child: reconciles the journal, then sends the job stream; SIGKILLs itself at a chosen send step.
import type { Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createChainClient } from '../../src/chain/clients.ts'
import { mapViemError } from '../../src/chain/map-viem-error.ts'
import { AppError } from '../../src/errors/app-error.ts'
import { backoffDelay } from '../../src/scheduler/index.ts'
import { createTxEngine } from '../../src/chain/tx-engine.ts'
import { createSpendPolicyGuard } from '../../src/chain/tx-policy.ts'
import type { SendStep } from '../../src/chain/nonce-lane.ts'
import { createLogger } from '../../src/logging/logger.ts'
import { openDatabase } from '../../src/store/database.ts'

/** The deterministic job stream shared by the child and the harness's checks. */
export function crashJob(i: number, stream = 0): { runId: string; to: Address; value: bigint } {
  return {
    runId: `s${stream}-crash-job-${i}`,
    to: `0x${(0xc0de0000 + stream * 0x10000 + i).toString(16).padStart(40, '0')}` as Address,
    value: BigInt(1000 + i),
  }
}

/** Attempts per job before the child gives up (as a scheduler job's retries would run out). */
const MAX_ATTEMPTS = 12

/**
 * Repeats a step that failed with a retryable error (an RPC timeout on a loaded machine, a node restarting),
 * with the scheduler's own full-jitter backoff, as the bot's scheduler retries a `send_calls` run; anything
 * else (a revert, a policy refusal, an intent needing attention) fails at once.
 */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (err) {
      const typed = err instanceof AppError ? err : mapViemError(err)
      if (!typed.retryable || attempt >= MAX_ATTEMPTS) throw typed
      await new Promise((r) => setTimeout(r, 100 + backoffDelay(attempt, 200, 5_000, Math.random)))
    }
  }
}

async function main(): Promise<void> {
  const env = process.env
  const chainId = Number(env.TX_CHILD_CHAIN_ID)
  const jobs = Number(env.TX_CHILD_JOBS)
  const stream = Number(env.TX_CHILD_STREAM ?? '0')
  const crashStep = env.TX_CHILD_CRASH_STEP as SendStep | undefined
  let crashAfter = Number(env.TX_CHILD_CRASH_AFTER ?? '0')
  // The key comes from an environment variable, as in production; it must never show up in output or the DB.
  const account = privateKeyToAccount(env.TX_CHILD_KEY as `0x${string}`)
  delete env.TX_CHILD_KEY
  // The bot's own client settings (request timeout, transport retry with delay, no cache); fast polling for anvil.
  const client = createChainClient({ chainId, rpcUrls: [env.TX_CHILD_RPC as string], pollingIntervalMs: 15 })
  const db = openDatabase({ path: env.TX_CHILD_DB as string })
  const logger = createLogger({ level: 'info' })
  const engine = createTxEngine({
    db,
    logger,
    signers: [account],
    policy: createSpendPolicyGuard([
      {
        chainId,
        maxFeePerGas: 50_000_000_000n,
        maxValuePerTx: 10n ** 18n,
        dailyNativeCap: 10n ** 19n,
        dailyTokenCaps: {},
        contracts: [],
        spenders: [],
        ownWallets: Array.from({ length: jobs }, (_, i) => crashJob(i, stream).to),
      },
    ]),
    chains: [
      {
        chainId,
        client,
        fees: { maxFeePerGas: 50_000_000_000n },
        confirmations: 2,
        pollMs: 15,
        rebroadcastMs: 400,
        stuckAfterMs: 30_000,
      },
    ],
    onStep(step) {
      if (step === crashStep && --crashAfter <= 0) process.kill(process.pid, 'SIGKILL')
    },
  })
  // Open intents are driven to their end in the background; send() re-broadcasts them before any new nonce.
  const reconciled = retrying(() => engine.reconcileOpenIntents())
  reconciled.catch(() => undefined) // awaited below; a rejection must not count as unhandled meanwhile
  const todo = Array.from({ length: jobs }, (_, i) => crashJob(i, stream)).filter((j) => {
    const row = engine.journal.findNormal(j.runId, 0)
    return !row || engine.journal.group(row.rootId).every((r) => r.status !== 'confirmed')
  })
  let next = 0
  const worker = async () => {
    while (next < todo.length) {
      const job = todo[next++]!
      // The same runId on every attempt: a retry resumes the journaled intent instead of signing again.
      await retrying(() =>
        engine.send({ chainId, to: job.to, value: job.value }, { runId: job.runId, wallet: account.address }),
      )
    }
  }
  await Promise.all(Array.from({ length: Number(env.TX_CHILD_CONCURRENCY ?? '4') }, worker))
  await reconciled
  db.close()
  process.stdout.write(`${JSON.stringify({ done: todo.length })}\n`)
}

if (process.env.TX_CHILD_DB) {
  main().catch((err: unknown) => {
    process.stderr.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`)
    process.exit(1)
  })
}
