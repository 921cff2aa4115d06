// The one action layer behind the HTTP API and the MCP server: role check, validation, the action, audit.
import { z } from 'zod'
import { ACTION_ROLES, allows, type Action, type Actor } from '../access/roles.ts'
import type { AuditLog } from '../access/audit-log.ts'
import { AppError } from '../errors/app-error.ts'
import type { CircuitBreaker, BreakerStatus } from '../risk/circuit-breaker.ts'
import type { Scheduler } from '../scheduler/index.ts'
import type { JobView } from '../scheduler/index.ts'
import type { JobConfig } from '../config/schema.ts'
import type { CleanupTarget } from '../housekeeping/cleanup-target.ts'
import type { Housekeeper, HousekeepingReport } from '../housekeeping/housekeeper.ts'
import { ConflictError, ControlError, ForbiddenError, InvalidInputError, NotFoundError } from './control-errors.ts'

/** What the control layer acts on. */
export interface ControlDeps {
  scheduler: Scheduler
  breaker: CircuitBreaker
  audit: AuditLog
  /** Turns a job definition (validated as config's `jobs[]` entries) into a job; throws a ConfigError when invalid. */
  parseJob(raw: unknown): Promise<JobConfig>
  toJobSpec(job: JobConfig): Parameters<Scheduler['addJob']>[0]
  /** A shipped preset's jobs, or a thrown error naming the available presets. */
  presetJobs(name: string): Promise<JobConfig[]>
  /** The housekeeper, when this bot has one (cleanup registration and runs). */
  housekeeper?: Pick<Housekeeper, 'register' | 'run' | 'targets'>
}

/** The actions. Each checks the actor's role first and audits every attempt, denied ones included. */
export interface Control {
  runNow(actor: Actor, jobId: string, args?: unknown): { runId: string }
  setJobState(actor: Actor, jobId: string, state: 'enable' | 'disable' | 'pause' | 'resume'): JobView
  pauseAll(actor: Actor): { paused: true }
  resumeAll(actor: Actor): { paused: false }
  tripBreaker(actor: Actor, reason: string): BreakerStatus
  resetBreaker(actor: Actor, reason: string): BreakerStatus
  loadPreset(
    actor: Actor,
    name: string,
    options?: { replace?: boolean },
  ): Promise<{ added: string[]; skipped: string[] }>
  scheduleTask(actor: Actor, job: unknown): Promise<JobView>
  cancelTask(actor: Actor, jobId: string, options?: { remove?: boolean }): { cancelledRuns: string[]; removed: boolean }
  /** Registers a directory for cleanup (admin: it decides what the bot may delete). */
  registerCleanup(actor: Actor, target: unknown): CleanupTarget
  /** Runs housekeeping now; `dryRun` removes nothing. */
  runCleanup(actor: Actor, options?: { dryRun?: boolean }): HousekeepingReport
  /** Checks a read permission (reads are not audited). */
  assertCanRead(actor: Actor): void
}

const reasonSchema = z
  .string()
  .trim()
  .min(1, { error: 'reason: give a short reason (1-200 characters)' })
  .max(200, { error: 'reason: at most 200 characters' })

/** Creates the control layer. */
export function createControl(deps: ControlDeps): Control {
  const { scheduler, breaker, audit } = deps
  const job = (id: string): JobView => {
    const j = typeof id === 'string' ? scheduler.getJob(id) : null
    if (!j)
      throw new NotFoundError(`unknown job "${String(id).slice(0, 80)}"`, 'list jobs with GET /api/jobs or `bot jobs`')
    return j
  }
  const housekeeper = () => {
    if (!deps.housekeeper) throw new ConflictError('this bot has no housekeeper', 'cleanup runs inside `bot run`')
    return deps.housekeeper
  }
  /** Runs `fn` as `action` for `actor`: role check, then the action; every outcome is audited. */
  function act<T>(actor: Actor, action: Action, target: string | null, params: unknown, fn: () => T): T {
    const done = (outcome: 'ok' | 'denied' | 'invalid' | 'error', detail?: string) =>
      audit.record({ actor, action, target, params, outcome, detail })
    if (!allows(actor.role, action)) {
      done('denied', `role ${actor.role ?? 'none'} < ${ACTION_ROLES[action]}`)
      throw new ForbiddenError(action, ACTION_ROLES[action])
    }
    const fail = (err: unknown): never => {
      const e = toControlError(err)
      done(e.status === 400 || e.status === 404 || e.status === 409 ? 'invalid' : 'error', e.message)
      throw e
    }
    try {
      const out = fn()
      if (out instanceof Promise)
        return out.then((v) => {
          done('ok')
          return v
        }, fail) as T
      done('ok')
      return out
    } catch (err) {
      return fail(err)
    }
  }
  return {
    assertCanRead,
    runNow: (actor, jobId, args) =>
      act(actor, 'job.run', jobId, args === undefined ? undefined : { args }, () => {
        const j = job(jobId)
        if (!j.enabled)
          throw new ConflictError(`job "${jobId}" is disabled`, 'enable it first (PUT /api/jobs/:id/enable)')
        return { runId: scheduler.runNow(jobId, args) }
      }),
    setJobState: (actor, jobId, state) =>
      act(actor, `job.${state}`, jobId, undefined, () => {
        job(jobId)
        scheduler[state](jobId)
        return job(jobId)
      }),
    pauseAll: (actor) =>
      act(actor, 'scheduler.pause', null, undefined, () => {
        scheduler.pause()
        return { paused: true as const }
      }),
    resumeAll: (actor) =>
      act(actor, 'scheduler.resume', null, undefined, () => {
        scheduler.resume()
        return { paused: false as const }
      }),
    tripBreaker: (actor, reason) =>
      act(actor, 'breaker.trip', null, { reason }, () =>
        breaker.halt(`${parse(reasonSchema, reason)} (by ${actor.name})`),
      ),
    resetBreaker: (actor, reason) =>
      act(actor, 'breaker.reset', null, { reason }, () => {
        const s = breaker.release(`${parse(reasonSchema, reason)} (by ${actor.name})`)
        scheduler.recheckGate()
        return s
      }),
    loadPreset: (actor, name, o = {}) =>
      act(actor, 'preset.load', name, o, async () => {
        const jobs = await deps.presetJobs(name)
        const added: string[] = []
        const skipped: string[] = []
        for (const j of jobs) {
          if (!o.replace && scheduler.getJob(j.id)) {
            skipped.push(j.id)
            continue
          }
          scheduler.addJob(deps.toJobSpec(j), { ifExists: 'replace' })
          added.push(j.id)
        }
        return { added, skipped }
      }),
    scheduleTask: (actor, raw) =>
      act(actor, 'task.schedule', idOf(raw), raw, async () => {
        const j = await deps.parseJob(raw)
        if (scheduler.getJob(j.id))
          throw new ConflictError(
            `a job "${j.id}" already exists`,
            'choose another id or cancel it with remove: true first',
          )
        return scheduler.addJob(deps.toJobSpec(j))
      }),
    registerCleanup: (actor, target) =>
      act(actor, 'cleanup.register', null, target, () => housekeeper().register(target)),
    runCleanup: (actor, o = {}) =>
      act(actor, 'cleanup.run', null, o, () => housekeeper().run({ dryRun: o.dryRun === true })),
    cancelTask: (actor, jobId, o = {}) =>
      act(actor, 'task.cancel', jobId, o, () => {
        job(jobId)
        const active = scheduler
          .listRuns({ jobId, limit: 100 })
          .runs.filter((r) => ['pending', 'delayed', 'held', 'running', 'retrying'].includes(r.status))
        const cancelledRuns = active.filter((r) => scheduler.cancelRun(String(r.id))).map((r) => String(r.id))
        if (o.remove) scheduler.removeJob(jobId)
        else scheduler.disable(jobId)
        return { cancelledRuns, removed: o.remove === true }
      }),
  }
}

/** Throws 403 unless the actor may read state (reads are not audited). */
export function assertCanRead(actor: Actor): void {
  if (!allows(actor.role, 'state.read')) throw new ForbiddenError('state.read', ACTION_ROLES['state.read'])
}

function idOf(raw: unknown): string | null {
  const id = raw !== null && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined
  return typeof id === 'string' ? id.slice(0, 80) : null
}

function parse<T>(schema: z.ZodType<T>, v: unknown): T {
  const r = schema.safeParse(v)
  if (!r.success) throw new InvalidInputError(r.error.issues.map((i) => i.message).join('; '))
  return r.data
}

/** Keeps control errors; a typed AppError from below (scheduler, config) becomes a 400 with its message and hint. */
export function toControlError(err: unknown): ControlError {
  if (err instanceof ControlError) return err
  if (err instanceof AppError) {
    if (err.name === 'UnknownPresetError') return new NotFoundError(err.message, err.hint)
    const conflict = /STOPPED|BROKEN/.test(err.code)
    return conflict
      ? new ConflictError(err.message, err.hint)
      : new InvalidInputError(err.message, err.hint, err.details)
  }
  return new ControlError('INTERNAL', 500, 'internal error: see the bot log')
}
