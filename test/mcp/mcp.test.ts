// `bot mcp` driven by the MCP SDK's own client over stdio, against a real bot runtime and API server: the tools a
// token's role allows, runs that really happen, the same audit trail, and read-only without a token.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenStore } from '../../src/access/token-store.ts'
import { createBotRuntime, type BotRuntime } from '../../src/bot/runtime.ts'
import { startBotServer } from '../../src/server/bot-server.ts'
import { parseConfig } from '../../src/config/load.ts'
import { BOT_BIN, ROOT } from '../e2e/run-bot.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-mcp-'))
let rt: BotRuntime
let server: Awaited<ReturnType<typeof startBotServer>>
const tokens: Record<string, string> = {}
const clients: Client[] = []

beforeAll(async () => {
  const config = await parseConfig(
    {
      preset: 'devnet-demo',
      store: { path: join(dir, 'state.db') },
      server: { enabled: true, port: 0 },
      jobs: [
        { id: 'a', taskType: 'noop', trigger: 'manual' },
        { id: 'b', taskType: 'noop', trigger: 'manual', dependencies: ['a'] },
      ],
    },
    'mcp-test',
  )
  rt = await createBotRuntime(config, { logger: pino({ level: 'silent' }) })
  await rt.start()
  const store = createTokenStore(rt.db)
  for (const role of ['viewer', 'operator', 'admin'] as const) tokens[role] = store.create(`agent-${role}`, role).token
  server = await startBotServer(rt, { logger: pino({ level: 'silent' }), env: {} })
  writeFileSync(join(dir, 'cli.json'), '{}')
}, 120_000)
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {})
  await server?.closeAll()
  await rt?.close({ graceMs: 0 })
  rmSync(dir, { recursive: true, force: true })
})

async function connect(token?: string): Promise<Client> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', NO_COLOR: '1', LOG_LEVEL: 'warn' }
  if (token) env.BOT_MCP_TOKEN = token
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BOT_BIN, 'mcp', '--url', server.url, '--config', join(dir, 'cli.json')],
    env,
    cwd: ROOT,
    stderr: 'pipe',
  })
  const client = new Client({ name: 'mcp-test', version: '1.0.0' })
  await client.connect(transport)
  clients.push(client)
  return client
}
const text = (r: unknown) => (r as { content: { text: string }[] }).content[0]!.text
const json = (r: unknown) => JSON.parse(text(r)) as Record<string, unknown>
const toolNames = async (c: Client) => (await c.listTools()).tools.map((t) => t.name).sort()

describe('bot mcp', () => {
  it('with an operator token: lists, explains, runs now, schedules and cancels tasks, audited as mcp', async () => {
    const c = await connect(tokens.operator)
    expect(await toolNames(c)).toEqual([
      'cancel_task',
      'execute_task_now',
      'explain_task',
      'list_tasks',
      'run_cleanup',
      'schedule_task',
    ])
    const listed = json(await c.callTool({ name: 'list_tasks', arguments: {} })) as { jobs: { id: string }[] }
    expect(listed.jobs.map((j) => j.id)).toEqual(expect.arrayContaining(['a', 'b', 'housekeeping', 'backup']))

    const run = json(
      await c.callTool({ name: 'execute_task_now', arguments: { jobId: 'a', args: { label: 'from mcp' } } }),
    ) as { runId: string }
    await expect.poll(() => rt.scheduler.getRun(run.runId)?.status, { timeout: 20_000 }).toBe('succeeded')
    const explained = json(await c.callTool({ name: 'explain_task', arguments: { jobId: 'b' } })) as {
      job: { id: string }
      explanation: unknown
    }
    expect(explained.job.id).toBe('b')

    await c.callTool({
      name: 'schedule_task',
      arguments: { job: { id: 'agent-job', taskType: 'noop', trigger: 'interval_2h' } },
    })
    expect(rt.scheduler.getJob('agent-job')?.trigger).toMatch(/2 ?h/)
    const bad = await c.callTool({
      name: 'schedule_task',
      arguments: { job: { id: 'x', taskType: 'noop', trigger: 'sometimes' } },
    })
    expect(bad.isError).toBe(true)
    expect(text(bad)).toMatch(/^400: .*trigger/)
    await c.callTool({ name: 'cancel_task', arguments: { jobId: 'agent-job', remove: true } })
    expect(rt.scheduler.getJob('agent-job')).toBeNull()

    const cleanup = json(await c.callTool({ name: 'run_cleanup', arguments: { dryRun: true } })) as { dryRun: boolean }
    expect(cleanup.dryRun).toBe(true)
    const audit = rt.db
      .prepare("SELECT action, outcome FROM audit_log WHERE actor = 'agent-operator' AND source = 'mcp' ORDER BY id")
      .all()
    expect(audit).toEqual([
      { action: 'job.run', outcome: 'ok' },
      { action: 'task.schedule', outcome: 'ok' },
      { action: 'task.schedule', outcome: 'invalid' },
      { action: 'task.cancel', outcome: 'ok' },
      { action: 'cleanup.run', outcome: 'ok' },
    ])
  }, 60_000)

  it('without a token or with a viewer token it is read-only', async () => {
    for (const token of [undefined, tokens.viewer]) {
      const c = await connect(token)
      expect(await toolNames(c)).toEqual(['explain_task', 'list_tasks'])
      expect(
        (json(await c.callTool({ name: 'list_tasks', arguments: { limit: 1 } })) as { jobs: unknown[] }).jobs,
      ).toHaveLength(1)
      const missing = await c.callTool({ name: 'execute_task_now', arguments: { jobId: 'a' } })
      expect(missing.isError).toBe(true)
    }
  }, 60_000)

  it('with an admin token it registers cleanup directories, refusing unsafe ones', async () => {
    const c = await connect(tokens.admin)
    expect(await toolNames(c)).toContain('register_cleanup')
    const logs = join(dir, 'logs')
    mkdirSync(logs)
    const ok = json(
      await c.callTool({ name: 'register_cleanup', arguments: { directory: logs, pattern: '*.log', maxFiles: 5 } }),
    ) as { target: { directory: string } }
    expect(ok.target.directory).toBe(logs)
    expect(rt.housekeeper.targets().some((t) => t.directory === logs)).toBe(true)
    const root = await c.callTool({ name: 'register_cleanup', arguments: { directory: '/', maxFiles: 1 } })
    expect(root.isError).toBe(true)
    expect(text(root)).toMatch(/file system root/)
  }, 60_000)
})
