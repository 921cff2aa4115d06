// Plan files: a JSON list of job specs (e.g. config/demo-plan.json), validated before any job is added.
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { TaskSchedulingError } from '../errors.ts'
import type { JobSpecInput } from './job-spec.ts'

const planSchema = z.object({
  description: z.string().optional(),
  jobs: z.array(z.record(z.string(), z.unknown())).min(1),
})

/** Parses a plan's JSON text; job specs themselves are validated by addJob(s). */
export function parsePlan(text: string, source = 'plan'): JobSpecInput[] {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (cause) {
    throw new TaskSchedulingError('PLAN_INVALID', `${source} is not valid JSON`, { cause, hint: 'fix the JSON syntax' })
  }
  const r = planSchema.safeParse(raw)
  if (!r.success) {
    const list = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new TaskSchedulingError('PLAN_INVALID', `invalid ${source}: ${list}`, {
      hint: 'a plan is {"jobs": [ {id, taskType, trigger, ...}, ... ]}',
    })
  }
  return r.data.jobs as JobSpecInput[]
}

/** Reads and parses a plan file. */
export function loadPlanFile(path: string): JobSpecInput[] {
  return parsePlan(readFileSync(path, 'utf8'), path)
}
