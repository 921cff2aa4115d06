// Limits a job's own record decides on its own, kept in a leaf file every part of the scheduler may use.
import type { JobState } from '../scheduler-state.ts'

/** True when the job ran maxExecutions times. */
export function exhausted(job: JobState) {
  return job.spec.maxExecutions !== undefined && job.rec.executions >= job.spec.maxExecutions
}
