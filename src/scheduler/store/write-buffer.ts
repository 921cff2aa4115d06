// Collects the state changes of one loop tick and writes them to the store in one transaction.
import type { AttemptRecord, JobRecord, RunRecord, SchedulerStore, StoreOp } from './store-port.ts'

/** A job's latest record, and its spec when the full row is due (serialized only when the batch is built). */
type JobEntry = { rec: JobRecord; spec: object | null } | null
interface Saved {
  jobs: Map<string, JobEntry>
  runs: Map<number, RunRecord>
  attempts: AttemptRecord[]
  states: Map<string, string>
  handoffs: Set<number>
  below: number | null
}

/** Pending writes, deduplicated: the latest state of each job and run is written once per flush. */
export interface WriteBuffer {
  /** Queues a job's state; with `spec`, the full record (spec included, as of the flush) is written. */
  job(rec: JobRecord, spec?: object): void
  deleteJob(jobId: string): void
  run(rec: RunRecord): void
  /** Queues a run created for a group another instance holds: written unfenced, for its owner to take. */
  handOff(rec: RunRecord): void
  attempt(rec: AttemptRecord): void
  state(key: string, value: string): void
  /** Queues the fact that every run with a smaller id is finished (written after the batch's runs). */
  finishedBelow(runId: number): void
  /**
   * Writes everything in one transaction, after any batch still committing on the writer thread; on failure keeps
   * the changes for the next flush and rethrows. When it returns, every change made so far is durable.
   */
  flush(): void
  /**
   * Writes everything as one batch, on the store's writer thread when it has one: null when it was committed
   * before returning (throws like flush), else a promise of the commit that rejects (changes put back) on failure.
   */
  commit(): Promise<void> | null
  /** Drops the buffered changes unwritten. */
  discard(): void
  /** Resolves once every batch handed to the store so far has committed or failed. */
  persisted(): Promise<void>
  /** True while a batch is committing on the store's writer thread (`onIdle` is called when none is left). */
  readonly committing: boolean
  readonly size: number
}

/** How a write buffer serializes specs, and what it tells its scheduler. */
export interface WriteBufferOptions {
  /** The JSON row of a job's spec; called when a batch is built, so batches in flight hold no spec strings. */
  specJson: (spec: object) => string
  /** Cluster mode: names each job's group on its run and state writes, for the store's lease fence. */
  groupOf?: (jobId: string) => string
  /** Called when the last batch committing on the store's writer thread has settled. */
  onIdle?: () => void
}

/** Creates a write buffer over `store`. Records are captured by reference, so a flush writes their latest state. */
export function createWriteBuffer(store: SchedulerStore, options: WriteBufferOptions): WriteBuffer {
  const { groupOf, onIdle } = options
  let jobs = new Map<string, JobEntry>()
  let runs = new Map<number, RunRecord>()
  let attempts: AttemptRecord[] = []
  let states = new Map<string, string>()
  let handoffs = new Set<number>()
  let below: number | null = null
  const size = () => jobs.size + runs.size + attempts.length + states.size + (below === null ? 0 : 1)
  /** The newest batch still committing on the store's writer thread (it commits after every earlier one). */
  let lastCommit: Promise<void> | null = null

  /** Takes the buffered changes as store ops, leaving the buffer empty; `saved` puts them back on failure. */
  function take(): { ops: StoreOp[]; saved: Saved } | null {
    if (size() === 0) return null
    const ops: StoreOp[] = []
    for (const [id, e] of jobs) {
      if (!e) ops.push({ op: 'deleteJob', jobId: id })
      else if (e.spec !== null) ops.push({ op: 'putJob', job: { ...e.rec, specJson: options.specJson(e.spec) } })
      else ops.push(groupOf ? { op: 'putJobState', job: e.rec, group: groupOf(id) } : { op: 'putJobState', job: e.rec })
    }
    for (const rec of runs.values()) {
      if (handoffs.has(rec.id)) ops.push({ op: 'putRun', run: rec, unfenced: true })
      else ops.push(groupOf ? { op: 'putRun', run: rec, group: groupOf(rec.jobId) } : { op: 'putRun', run: rec })
    }
    for (const a of attempts) ops.push({ op: 'putAttempt', attempt: a })
    for (const [key, value] of states) ops.push({ op: 'setState', key, value })
    if (below !== null) ops.push({ op: 'finishedBelow', runId: below })
    const saved = { jobs, runs, attempts, states, handoffs, below }
    jobs = new Map()
    runs = new Map()
    attempts = []
    states = new Map()
    if (handoffs.size) handoffs = new Set()
    below = null
    return { ops, saved }
  }
  /** Puts a failed batch's changes back for the next flush; changes made meanwhile are newer and win. Records
   *  are held by reference, so what is put back is written with its latest state. */
  function putBack(saved: Saved): void {
    for (const [k, v] of saved.jobs) {
      const now = jobs.get(k)
      if (now === undefined) jobs.set(k, v)
      // A newer state-only change must not drop the failed batch's spec: the row may not exist yet.
      else if (now && v && now.spec === null && v.spec !== null) now.spec = v.spec
    }
    for (const [k, v] of saved.runs) if (!runs.has(k)) runs.set(k, v)
    attempts = [...saved.attempts, ...attempts]
    for (const [k, v] of saved.states) if (!states.has(k)) states.set(k, v)
    for (const id of saved.handoffs) handoffs.add(id)
    below ??= saved.below
  }
  function flush(): void {
    const batch = take()
    if (!batch) {
      // Nothing buffered, but batches may still be committing: an empty blocking write waits for them.
      if (lastCommit !== null) store.applyBatch([])
      return
    }
    try {
      store.applyBatch(batch.ops)
    } catch (err) {
      putBack(batch.saved)
      throw err
    }
  }
  return {
    job(rec, spec) {
      const prev = jobs.get(rec.id)
      jobs.set(rec.id, { rec, spec: spec ?? prev?.spec ?? null })
    },
    deleteJob: (id) => void jobs.set(id, null),
    run: (rec) => void runs.set(rec.id, rec),
    handOff(rec) {
      runs.set(rec.id, rec)
      handoffs.add(rec.id)
    },
    attempt: (rec) => void attempts.push(rec),
    state: (k, v) => void states.set(k, v),
    finishedBelow: (runId) => void (below = runId),
    get size() {
      return size()
    },
    flush,
    discard: () => void take(),
    commit() {
      if (!store.submitBatch) {
        flush()
        return null
      }
      const batch = take()
      if (!batch) return lastCommit
      let p: Promise<void> | null
      try {
        p = store.submitBatch(batch.ops)
      } catch (err) {
        putBack(batch.saved)
        throw err
      }
      if (!p) return null
      // Only the changes are kept for a failure, not the encoded ops: large plans have many batches in flight.
      const saved = batch.saved
      const mine = p.catch((err: unknown) => {
        putBack(saved)
        throw err
      })
      lastCommit = mine.catch(() => undefined)
      const settledNow = lastCommit
      void settledNow.then(() => {
        if (lastCommit !== settledNow) return
        lastCommit = null
        onIdle?.()
      })
      return mine
    },
    persisted() {
      return lastCommit ?? Promise.resolve()
    },
    get committing() {
      return lastCommit !== null
    },
  }
}
