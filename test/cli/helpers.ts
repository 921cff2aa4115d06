// Test helpers for the CLI: temp dirs, capturing streams, a recording services double, running main in-process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main, type MainDeps } from '../../src/cli/main.ts'
import type { CliServices, OnceReport, ServicesFactory } from '../../src/bot/services.ts'

/** A temporary directory removed by `cleanup`. */
export function tempDir(prefix = 'bot-cli-'): {
  dir: string
  file(name: string, content: string): string
  cleanup(): void
} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {
    dir,
    file(name, content) {
      const p = join(dir, name)
      writeFileSync(p, content)
      return p
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A stream that keeps what is written. */
export function capture(isTTY = false): { write(s: string): boolean; isTTY: boolean; text(): string } {
  let buf = ''
  return {
    isTTY,
    write(s: string) {
      buf += s
      return true
    },
    text: () => buf,
  }
}

/** Services that record each call and answer with fixed, plausible data. */
export function recordingServices(overrides: Partial<CliServices> = {}): {
  factory: ServicesFactory
  calls: { op: string; args: unknown[] }[]
  created: number
} {
  const calls: { op: string; args: unknown[] }[] = []
  const state = { created: 0 }
  const rec =
    <T>(op: string, value: (...a: unknown[]) => T) =>
    async (...args: unknown[]) => {
      calls.push({ op, args })
      return value(...args)
    }
  const job = (id: string) => ({
    id,
    taskType: 'protocol_call',
    trigger: 'every 15 min',
    priority: 'normal',
    dependencies: [],
    triggerRule: 'all_success',
    enabled: true,
    paused: false,
    nextFireAt: 1_700_000_000_000,
  })
  const once: OnceReport = { ok: true, jobs: [{ jobId: 'a', status: 'succeeded', durationMs: 12 }] }
  const base: CliServices = {
    status: rec('status', () => ({
      scheduler: 'running' as const,
      pid: 42,
      breaker: { state: 'closed' as const },
      jobs: { total: 2, enabled: 2, paused: 0, running: 0 },
      nextRuns: [{ jobId: 'a', at: 1_700_000_000_000 }],
    })),
    listJobs: rec('listJobs', () => [
      job('a'),
      { ...job('b'), dependencies: ['a'], lastRun: { status: 'failed' as const, finishedAt: 1, error: 'revert' } },
    ]),
    history: rec('history', () => [
      {
        runId: 'r1',
        jobId: 'a',
        status: 'succeeded' as const,
        attempt: 1,
        startedAt: 1_700_000_000_000,
        finishedAt: 1_700_000_001_500,
      },
    ]),
    explain: rec('explain', (id) => ({
      jobId: String(id),
      state: 'delayed',
      nextFireAt: null,
      dependencies: [],
      triggerRule: 'all_success',
      waitingOn: [{ kind: 'gas' as const, detail: 'base fee 62 gwei > cap 30 gwei' }],
    })),
    runTask: rec('runTask', (id) => ({
      runId: 'r2',
      jobId: String(id),
      status: 'succeeded' as const,
      attempt: 1,
      startedAt: 1,
      finishedAt: 2,
    })),
    setJobState: rec('setJobState', (id, action) => ({
      ...job(String(id)),
      enabled: action !== 'disable',
      paused: action === 'pause',
    })),
    addTask: rec('addTask', (j) => job((j as { id: string }).id)),
    removeTask: rec('removeTask', () => undefined),
    loadPreset: rec('loadPreset', () => ({ added: ['x'], skipped: [] })),
    runOnce: rec('runOnce', () => once),
    runForever: rec('runForever', () => undefined),
    devnet: rec('devnet', () => undefined),
    keystoreNew: rec('keystoreNew', () => ({
      address: '0x0000000000000000000000000000000000000001',
      path: '/tmp/k.json',
    })),
    keystoreImport: rec('keystoreImport', () => ({
      address: '0x0000000000000000000000000000000000000001',
      path: '/tmp/k.json',
    })),
    housekeeping: rec('housekeeping', () => ({
      dryRun: true,
      at: 1,
      runsPruned: 0,
      auditPruned: 0,
      historyPruned: 0,
      database: { optimized: false, walCheckpoint: null },
      directories: [],
    })),
    backup: rec('backup', () => ({ path: '/tmp/b.db', bytes: 1, takenAt: 1, integrity: 'ok' as const })),
    restore: rec('restore', () => ({ restoredFrom: '/tmp/b.db', previousSavedAs: null })),
    tokenNew: rec('tokenNew', () => ({
      token: 'bot_x',
      info: { id: '1', name: 'a', role: 'viewer', source: 'db' as const, createdAt: 1, revokedAt: null },
    })),
    tokenList: rec('tokenList', () => []),
    tokenRevoke: rec('tokenRevoke', () => true),
    close: async () => {},
  }
  const services = { ...base, ...overrides }
  const result = {
    calls,
    get created() {
      return state.created
    },
    factory: (async () => {
      state.created++
      return services
    }) as ServicesFactory,
  }
  return result
}

/** Runs main() in-process with captured output; signals are left alone. */
export async function runMain(
  argv: string[],
  deps: Partial<MainDeps> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture()
  const stderr = capture()
  const code = await main(argv, { stdout, stderr, env: { PATH: process.env.PATH }, handleSignals: false, ...deps })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}
