// Test helper: runs a function that must throw a TaskSchedulingError and returns it for further assertions.
import { expect } from 'vitest'
import { TaskSchedulingError } from '../errors.ts'

/** The TaskSchedulingError `fn` throws; fails the test when it throws anything else or nothing. */
export function errorOf(fn: () => unknown): TaskSchedulingError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(TaskSchedulingError)
    return err as TaskSchedulingError
  }
  throw new Error('expected a TaskSchedulingError, nothing was thrown')
}
