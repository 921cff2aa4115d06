// The scheduler's typed errors: one root (SchedulerError) and one subclass per kind of mistake.
import { AppError, type AppErrorOptions } from '../errors/app-error.ts'

/** Root of every scheduler error. */
export class SchedulerError extends AppError {
  override name: string = 'SchedulerError'
  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(code, message, options)
  }
}

/** A job or trigger definition the scheduler cannot accept (bad trigger, duplicate id, unknown task type). */
export class TaskSchedulingError extends SchedulerError {
  override name = 'TaskSchedulingError' as const
}

/** A job needs more of a resource pool than the pool has, or names an unknown pool. */
export class ResourceAllocationError extends SchedulerError {
  override name = 'ResourceAllocationError' as const
}

/** A dependency cycle or an unknown dependency; `cycle` names the job ids in order when there is one. */
export class DependencyError extends SchedulerError {
  override name = 'DependencyError' as const
  readonly cycle: string[] | undefined
  constructor(code: string, message: string, options: AppErrorOptions & { cycle?: string[] } = {}) {
    super(code, message, options)
    this.cycle = options.cycle
  }
}
