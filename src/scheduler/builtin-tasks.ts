// Built-in tasks every scheduler can register: `noop`, for demo plans, smoke tests and benchmarks.
import { z } from 'zod'
import type { TaskDefinition } from './task-contract.ts'

const noopArgs = z
  .object({
    /** Optional pretend work time; honours the run's abort signal. */
    delayMs: z.number().int().nonnegative().max(3_600_000).optional(),
    label: z.string().max(200).optional(),
  })
  .passthrough()

/** A task that does nothing (optionally waits `delayMs`) and returns its label: safe to run anywhere. */
export const noopTask: TaskDefinition = {
  type: 'noop',
  description: 'does nothing; optional args {delayMs, label}',
  argsSchema: noopArgs,
  recovery: 'rerun',
  handler: async ({ args, signal }) => {
    const a = noopArgs.parse(args ?? {})
    if (a.delayMs) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, a.delayMs)
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t)
            reject(signal.reason)
          },
          { once: true },
        )
      })
    }
    return { noop: true, label: a.label ?? null }
  },
}

/** Every built-in task, to register at start-up. */
export const BUILTIN_TASKS: readonly TaskDefinition[] = [noopTask]
