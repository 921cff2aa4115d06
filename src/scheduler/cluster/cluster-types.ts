// The cluster's contracts and state: what a shared store's coordinator provides and what the scheduler keeps.
import type { JobSpec } from '../jobs/job-spec.ts'
import type { JobRecord, RunRecord } from '../store/store-port.ts'

/** A control made on one instance that every other applies. `jobId` null means the whole scheduler. */
export interface ClusterControl {
  jobId: string | null
  action: 'pause' | 'resume' | 'enable' | 'disable' | 'priority'
  value?: string
}

/** A group this instance now holds, with its jobs' stored records and unfinished runs. */
export interface GainedGroup {
  group: string
  jobs: JobRecord[]
  runs: RunRecord[]
}

/** What one heartbeat brought back. */
export interface HeartbeatReport {
  gained: GainedGroup[]
  lost: string[]
  /** Runs peers created for groups this instance holds. */
  handoffs: RunRecord[]
  controls: ClusterControl[]
}

/** The shared store's side of clustering (PostgreSQL implements it). */
export interface ClusterCoordinator {
  readonly instanceId: string
  /** Makes the groups known (idempotent); a new group starts unowned. */
  register(groups: ReadonlyMap<string, readonly string[]>): void
  /** True when this instance holds the group's lease now; a group nobody holds is claimed on the spot. */
  owns(group: string): boolean
  /**
   * Renews leases, takes over expired ones up to a fair share and gives back idle ones above it, calling
   * `beforeGiveBack` first (it makes the stored state current, so a peer taking a group reads it).
   */
  heartbeat(idle: ReadonlySet<string>, beforeGiveBack?: () => void): HeartbeatReport
  /**
   * Optional: reads the next heartbeat's shared state without blocking the calling thread; the heartbeat that
   * follows applies it instead of reading it blocking. A coordinator over a blocking bridge offers it, so the
   * scheduler's thread waits for no round trip in the steady state.
   */
  prepareBeat?(): Promise<void>
  /** Passes a run created here (a runNow) to the owner of its group. */
  handOff(runId: number, group: string): void
  publish(control: ClusterControl): void
  /** Gives up every lease, so peers take over at once (clean stop). */
  leave(): void
}

/** Cluster settings of createScheduler. */
export interface ClusterOptions {
  coordinator: ClusterCoordinator
  /** Heartbeat period (default 1 s); the coordinator's lease must be several of these. */
  heartbeatMs?: number
  /** Extra grouping key of a job (jobs with the same key share a group), e.g. the wallet it sends from. */
  groupKey?: (spec: JobSpec) => string | null
}

/** The scheduler's cluster state. */
export interface ClusterState {
  opts: ClusterOptions
  groups: Map<string, string>
  dirty: boolean
  /** Set while a peer's control is applied here, so it is not published again. */
  applyingPeer: boolean
}

/** Creates the state; groups are computed on first use. */
export function createClusterState(opts: ClusterOptions): ClusterState {
  return { opts, groups: new Map(), dirty: true, applyingPeer: false }
}
