// The operations API over real HTTP against a real bot runtime on the devnet: every endpoint, auth, roles,
// validation, pagination, rate limits and the audit trail.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenStore } from '../../src/access/token-store.ts'
import { createBotRuntime, type BotRuntime } from '../../src/bot/runtime.ts'
import { startBotServer } from '../../src/server/bot-server.ts'
import { parseConfig } from '../../src/config/load.ts'
import { runApiLoad } from '../../scripts/api-load.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-api-'))
const ADMIN = 'admin-secret-token-0123456789'
const VIEWER = 'viewer-secret-token-0123456789'
let rt: BotRuntime
let server: Awaited<ReturnType<typeof startBotServer>>
let operator: string

beforeAll(async () => {
  const config = await parseConfig(
    {
      preset: 'devnet-demo',
      store: { path: join(dir, 'state.db') },
      server: {
        enabled: true,
        port: 0,
        tokens: [{ name: 'ops-viewer', role: 'viewer', env: 'TEST_VIEWER_TOKEN' }],
        rateLimit: { perMinute: 60, burst: 30 },
      },
      jobs: [
        { id: 'a', taskType: 'noop', trigger: 'manual' },
        { id: 'b', taskType: 'noop', trigger: 'manual', dependencies: ['a'] },
        { id: 'c', taskType: 'noop', trigger: 'manual', dependencies: ['a', 'b'] },
        ...Array.from({ length: 7 }, (_, i) => ({ id: `n${i}`, taskType: 'noop', trigger: 'manual' })),
      ],
    },
    'api-test',
  )
  rt = await createBotRuntime(config, { logger: pino({ level: 'silent' }) })
  await rt.start()
  operator = createTokenStore(rt.db).create('ci', 'operator').token
  server = await startBotServer(rt, {
    logger: pino({ level: 'silent' }),
    env: { BOT_API_TOKEN: ADMIN, TEST_VIEWER_TOKEN: VIEWER },
  })
}, 120_000)
afterAll(async () => {
  await server?.closeAll()
  await rt?.close({ graceMs: 0 })
  rmSync(dir, { recursive: true, force: true })
})

async function call(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text.startsWith('{') ? JSON.parse(text) : text }
}
const waitRun = async (runId: string) => {
  for (let i = 0; i < 400; i++) {
    const r = rt.scheduler.getRun(runId)
    if (r && ['succeeded', 'failed', 'cancelled'].includes(r.status)) return r
    await new Promise((res) => setTimeout(res, 25))
  }
  throw new Error(`run ${runId} did not finish`)
}

describe('read endpoints', () => {
  it('health reports database, scheduler and every chain RPC as ready', async () => {
    const r = await call('GET', '/api/health')
    expect(r.status).toBe(200)
    expect(r.body.ready).toBe(true)
    expect(r.body.checks.map((c: { name: string }) => c.name).sort()).toEqual([
      'database',
      'rpc:31337',
      'rpc:31338',
      'scheduler',
    ])
  })
  it('status, risk and allocations answer with the live state', async () => {
    const s = await call('GET', '/api/status')
    expect(s.status).toBe(200)
    expect(s.body.jobs.total).toBe(rt.scheduler.listJobs().length)
    expect(s.body.breaker.state).toBe('closed')
    const risk = await call('GET', '/api/risk')
    expect(risk.body.breaker.state).toBe('closed')
    const alloc = await call('GET', '/api/allocations')
    expect(alloc.status).toBe(200)
    expect(Array.isArray(alloc.body.rebalances)).toBe(true)
  })
  it('pages jobs with a cursor and covers every job exactly once', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const r = await call('GET', `/api/jobs?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
      expect(r.status).toBe(200)
      expect(r.body.jobs.length).toBeLessThanOrEqual(4)
      seen.push(...r.body.jobs.map((j: { id: string }) => j.id))
      cursor = r.body.nextCursor
      pages++
    } while (cursor)
    expect(pages).toBe(Math.ceil(rt.scheduler.listJobs().length / 4))
    expect(seen.sort()).toEqual(
      rt.scheduler
        .listJobs()
        .map((j) => j.id)
        .sort(),
    )
  })
  it('shows one job with its explanation, 404 for an unknown one', async () => {
    const r = await call('GET', '/api/jobs/c')
    expect(r.body.job.dependencies).toEqual(['a', 'b'])
    expect(r.body.explanation.jobId).toBe('c')
    const missing = await call('GET', '/api/jobs/nope')
    expect(missing.status).toBe(404)
    expect(missing.body.error.message).toMatch(/unknown job "nope"/)
  })
  it('rejects bad query parameters with 400 naming the field', async () => {
    const r = await call('GET', '/api/runs?limit=0')
    expect(r.status).toBe(400)
    expect(r.body.error.message).toMatch(/query\.limit: expected an integer 1-500/)
    const s = await call('GET', '/api/runs?status=bogus')
    expect(s.body.error.message).toMatch(/query\.status: expected one of pending/)
    const u = await call('GET', '/api/runs?colour=red')
    expect(u.status).toBe(400)
    expect(u.body.error.message).toMatch(/colour/)
  })
})

describe('mutations: tokens, roles, validation, audit', () => {
  it('401 without a token, 403 with a wrong token, 403 for a viewer; each attempt audited', async () => {
    const before = rt.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }
    expect((await call('POST', '/api/jobs/a/run')).status).toBe(401)
    expect((await call('POST', '/api/jobs/a/run', 'wrong-token')).status).toBe(403)
    const v = await call('POST', '/api/jobs/a/run', VIEWER)
    expect(v.status).toBe(403)
    expect(v.body.error.hint).toMatch(/operator/)
    const after = rt.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }
    expect(after.n - before.n).toBe(3)
    const rows = rt.db.prepare('SELECT actor, outcome FROM audit_log ORDER BY id DESC LIMIT 3').all()
    expect(rows).toEqual([
      { actor: 'ops-viewer', outcome: 'denied' },
      { actor: 'anonymous', outcome: 'denied' },
      { actor: 'anonymous', outcome: 'denied' },
    ])
    const dump =
      JSON.stringify(rt.db.prepare('SELECT * FROM audit_log').all()) +
      JSON.stringify(rt.db.prepare('SELECT * FROM api_tokens').all())
    expect(dump).not.toContain(operator)
    expect(dump).not.toContain(ADMIN)
    expect(dump).not.toContain('wrong-token')
  })
  it('run-now with an args override starts a run that succeeds, in dependency order; history pages with a cursor', async () => {
    const r = await call('POST', '/api/jobs/a/run', operator, { args: { note: 'from the API' } })
    expect(r.status).toBe(200)
    expect((await waitRun(r.body.runId)).status).toBe('succeeded')
    expect(rt.scheduler.getRun(r.body.runId)!.argsJson).toBe(JSON.stringify({ note: 'from the API' }))
    for (let i = 0; i < 3; i++) await waitRun((await call('POST', '/api/jobs/b/run', operator)).body.runId)
    const first = await call('GET', '/api/runs?job=b&limit=2')
    expect(first.body.runs).toHaveLength(2)
    expect(first.body.nextCursor).not.toBeNull()
    const second = await call('GET', `/api/runs?job=b&limit=2&cursor=${first.body.nextCursor}`)
    expect(second.body.runs).toHaveLength(1)
    expect(new Set([...first.body.runs, ...second.body.runs].map((x: { id: number }) => x.id)).size).toBe(3)
    const ok = rt.db
      .prepare(
        "SELECT actor, action, target, outcome FROM audit_log WHERE action = 'job.run' AND outcome = 'ok' ORDER BY id LIMIT 1",
      )
      .get()
    expect(ok).toEqual({ actor: 'ci', action: 'job.run', target: 'a', outcome: 'ok' })
  })
  it('enable/disable/pause/resume a job and pause/resume all', async () => {
    expect((await call('PUT', '/api/jobs/n1/disable', operator)).body.job.enabled).toBe(false)
    const disabledRun = await call('POST', '/api/jobs/n1/run', operator)
    expect(disabledRun.status).toBe(409)
    expect((await call('PUT', '/api/jobs/n1/enable', operator)).body.job.enabled).toBe(true)
    expect((await call('PUT', '/api/jobs/n1/pause', operator)).body.job.paused).toBe(true)
    expect((await call('PUT', '/api/jobs/n1/resume', operator)).body.job.paused).toBe(false)
    expect((await call('POST', '/api/pause', operator)).body).toEqual({ paused: true })
    expect((await call('GET', '/api/status')).body.scheduler).toBe('paused')
    expect((await call('POST', '/api/resume', operator)).body).toEqual({ paused: false })
    expect((await call('PUT', '/api/jobs/nope/enable', operator)).status).toBe(404)
    expect((await call('GET', '/api/jobs/n1/enable')).status).toBe(405)
  })
  it('breaker trip is operator, reset is admin; the state is shared with the gate', async () => {
    expect((await call('POST', '/api/breaker/trip', operator, {})).status).toBe(400)
    const trip = await call('POST', '/api/breaker/trip', operator, { reason: 'maintenance' })
    expect(trip.body.breaker.state).toBe('open')
    expect(rt.breaker.status().manualHalt).toMatch(/maintenance \(by ci\)/)
    expect((await call('POST', '/api/breaker/reset', operator, { reason: 'done' })).status).toBe(403)
    const reset = await call('POST', '/api/breaker/reset', ADMIN, { reason: 'done' })
    expect(reset.body.breaker.state).toBe('closed')
  })
  it('presets are admin-only; an unknown preset is 404 naming the available ones', async () => {
    expect((await call('POST', '/api/presets/swap-and-lend', operator)).status).toBe(403)
    const missing = await call('POST', '/api/presets/nope', ADMIN)
    expect(missing.status).toBe(404)
    expect(missing.body.error.message).toMatch(/devnet-demo/)
    // Every shipped preset's jobs must be accepted by the live runtime's task schemas (adapters' params included).
    for (const name of ['swap-and-lend', 'bridge-rotation', 'devnet-demo', 'l2-rotation']) {
      const ok = await call('POST', `/api/presets/${name}`, ADMIN, { replace: false })
      expect(ok.body.error).toBeUndefined()
      expect(ok.body.added.length + ok.body.skipped.length).toBeGreaterThan(1)
    }
    expect(rt.scheduler.getJob('lend-proceeds')?.dependencies).toEqual(['daily-swap'])
  })
  it('schedules and cancels a task; bad job definitions and bodies are 400 with the field', async () => {
    const bad = await call('POST', '/api/jobs', operator, {
      id: 'x1',
      taskType: 'noop',
      trigger: { type: 'interval', every: -1, unit: 's' },
    })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body.error)).toMatch(/trigger/)
    expect((await call('POST', '/api/jobs', operator, '{not json')).body.error.message).toMatch(/body: not valid JSON/)
    const ok = await call('POST', '/api/jobs', operator, { id: 'x1', taskType: 'noop', trigger: 'manual' })
    expect(ok.body.job.id).toBe('x1')
    expect((await call('POST', '/api/jobs', operator, { id: 'x1', taskType: 'noop', trigger: 'manual' })).status).toBe(
      409,
    )
    const del = await call('DELETE', '/api/jobs/x1?remove=true', operator)
    expect(del.body.removed).toBe(true)
    expect(rt.scheduler.getJob('x1')).toBeNull()
  })
  it('rate-limits mutations per token with 429 and Retry-After, audited', async () => {
    const token = createTokenStore(rt.db).create('burst', 'operator').token
    const codes: number[] = []
    for (let i = 0; i < 34; i++) codes.push((await call('PUT', '/api/jobs/n2/resume', token)).status)
    expect(codes.slice(0, 30).every((c) => c === 200)).toBe(true)
    expect(codes).toContain(429)
    const limited = await call('PUT', '/api/jobs/n2/resume', token)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    const row = rt.db
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE actor = 'burst' AND outcome = 'rate_limited'")
      .get() as { n: number }
    expect(row.n).toBeGreaterThan(0)
  })
  it('serves Prometheus metrics with run counts, the breaker gauge and RPC calls per tick', async () => {
    const tick = await waitRun(rt.scheduler.runNow('market-tick'))
    const perTick = (tick.resultJson ? JSON.parse(tick.resultJson) : {}) as { rpcCalls?: Record<string, number> }
    expect(perTick.rpcCalls?.['31337']).toBeGreaterThan(0)
    const m = await call('GET', '/metrics')
    expect(m.status).toBe(200)
    expect(m.headers.get('content-type')).toMatch(/text\/plain/)
    const succeededA = /bot_runs_total\{job="a",status="succeeded"\} (\d+)/.exec(m.body)
    expect(Number(succeededA?.[1])).toBe(rt.scheduler.listRuns({ jobId: 'a', status: 'succeeded' }).runs.length)
    expect(m.body).toMatch(/bot_breaker_open 0/)
    expect(m.body).toMatch(/bot_trigger_lag_seconds_bucket/)
    expect(m.body).toContain(`bot_rpc_calls_last_tick{chain="31337"} ${perTick.rpcCalls!['31337']}`)
    expect(m.body).toMatch(/bot_rpc_requests\{chain="31337",method="eth_call"\} \d+/)
  })
  it('lists the audit trail newest first with a cursor', async () => {
    const p1 = await call('GET', '/api/audit?limit=3')
    expect(p1.body.entries).toHaveLength(3)
    const p2 = await call('GET', `/api/audit?limit=3&cursor=${p1.body.nextCursor}`)
    expect(p2.body.entries[0].id).toBeLessThan(p1.body.entries[2].id)
  })
})

describe('roles', () => {
  it('every mutation is 403 below its role and passes the role check at or above it', async () => {
    const store = createTokenStore(rt.db)
    const t = Object.fromEntries(
      (['viewer', 'operator', 'admin'] as const).map((r) => [r, store.create(`matrix-${r}`, r).token]),
    )
    // [method, path, body, weakest role]; bodies and ids are chosen so an allowed call changes nothing lasting.
    const cases: [string, string, unknown, 'operator' | 'admin'][] = [
      ['POST', '/api/jobs/n5/run', undefined, 'operator'],
      ['PUT', '/api/jobs/n5/pause', undefined, 'operator'],
      ['PUT', '/api/jobs/n5/resume', undefined, 'operator'],
      ['PUT', '/api/jobs/missing/disable', undefined, 'operator'],
      ['PUT', '/api/jobs/missing/enable', undefined, 'operator'],
      ['POST', '/api/jobs', { id: 'bad' }, 'operator'],
      ['DELETE', '/api/jobs/missing', undefined, 'operator'],
      ['POST', '/api/cleanup/run', { dryRun: true }, 'operator'],
      ['POST', '/api/breaker/trip', { reason: '' }, 'operator'],
      ['POST', '/api/breaker/reset', { reason: '' }, 'admin'],
      ['POST', '/api/presets/no-such-preset', undefined, 'admin'],
      ['POST', '/api/cleanup/targets', { directory: '/' }, 'admin'],
    ]
    const rank = { viewer: 0, operator: 1, admin: 2 }
    for (const [method, path, body, need] of cases) {
      for (const role of ['viewer', 'operator', 'admin'] as const) {
        const r = await call(method, path, t[role], body)
        if (rank[role] < rank[need]) {
          expect(r.status, `${role} ${method} ${path}`).toBe(403)
          expect(r.body.error.hint).toMatch(new RegExp(need))
        } else {
          expect([200, 400, 404], `${role} ${method} ${path}: ${JSON.stringify(r.body)}`).toContain(r.status)
        }
      }
    }
    const denied = rt.db
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE actor LIKE 'matrix-%' AND outcome = 'denied'")
      .get() as { n: number }
    expect(denied.n).toBe(cases.length + cases.filter((c) => c[3] === 'admin').length)
  })
})

describe('under load', () => {
  it('50 concurrent clients for 2 s (reads and run-now) get no error answer; the runs they asked for happen', async () => {
    const before = rt.scheduler.listRuns({ jobId: 'n6', limit: 500 }).runs.length
    const r = await runApiLoad({
      baseUrl: server.url,
      clients: 50,
      durationMs: 2_000,
      token: ADMIN,
      mutation: { jobId: 'n6', everyMs: 400 },
      paths: [
        '/api/status',
        '/api/jobs?limit=5',
        '/api/runs?limit=20',
        '/api/risk',
        '/api/health',
        '/metrics',
        '/api/jobs/a',
        '/',
      ],
    })
    expect(r.errorSamples).toEqual([])
    expect(r.errors).toBe(0)
    expect(r.requests).toBeGreaterThan(200)
    expect(Object.keys(r.byPath)).toHaveLength(9)
    await expect
      .poll(() => rt.scheduler.listRuns({ jobId: 'n6', status: 'succeeded', limit: 500 }).runs.length - before)
      .toBe(r.byPath['/api/jobs/n6/run'])
  })
})
