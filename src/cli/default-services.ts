// The services factory `bot` uses until the scheduler and engine are wired in: unwired operations say so, typed.
import { AppError } from '../errors/app-error.ts'
import type { CliServices, ServicesFactory } from './services.ts'

/** Raised by operations whose implementation is not wired into this build yet. */
export class NotWiredError extends AppError {
  override name = 'NotWiredError'
  constructor(operation: string) {
    super('CLI_NOT_WIRED', `\`${operation}\` is not available in this build: the scheduler/engine are not wired into the CLI yet`, {
      retryable: false,
      hint: 'use a build where src/cli/default-services.ts creates the real services',
    })
  }
}

/** A factory whose services refuse scheduler/engine operations with NotWiredError (the lead replaces this when wiring). */
export const createDefaultServices: ServicesFactory = async () => {
  const refuse = (op: string) => async (): Promise<never> => { throw new NotWiredError(op) }
  const services: CliServices = {
    status: refuse('status'),
    listJobs: refuse('jobs'),
    history: refuse('history'),
    explain: refuse('explain'),
    runTask: refuse('run-task'),
    setJobState: refuse('enable/disable/pause/resume'),
    addTask: refuse('add-task'),
    removeTask: refuse('remove-task'),
    loadPreset: refuse('load-preset'),
    runOnce: refuse('run --once'),
    runForever: refuse('run'),
    devnet: refuse('devnet'),
    // Keystores need no scheduler: these two work in every build. Loaded lazily: viem costs seconds at start-up.
    keystoreNew: async (o) => (await import('./keystore-file.ts')).writeKeystore(o),
    keystoreImport: async (o) => (await import('./keystore-file.ts')).writeKeystore(o),
    close: async () => {},
  }
  return services
}
