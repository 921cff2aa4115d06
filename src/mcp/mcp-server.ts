// The MCP server of `bot mcp`: agent tools over stdio that call the running bot's API. Which tools exist follows
// the token's role: read-only without an operator token; cleanup registration needs an admin token.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import type { Role } from '../access/roles.ts'
import { BotApiError, type BotApiClient } from './bot-api-client.ts'

const jobId = z.string().min(1).max(128).describe('a job id, as list_tasks shows it')
const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 }

/** One tool answer as MCP content: the bot's JSON, or its error message and hint marked as an error. */
async function answer(fn: () => Promise<unknown>) {
  try {
    return { content: [{ type: 'text' as const, text: JSON.stringify(await fn(), null, 2) }] }
  } catch (err) {
    const e = err instanceof BotApiError ? err : new BotApiError(500, (err as Error).message)
    return {
      isError: true,
      content: [
        {
          type: 'text' as const,
          text: `${e.status ? `${e.status}: ` : ''}${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}`,
        },
      ],
    }
  }
}

/** Builds the server for a token with `role` (null: no token, read tools only). */
export function createBotMcpServer(api: BotApiClient, role: Role | null, version: string): McpServer {
  const server = new McpServer({ name: 'airdrops-bot', version })
  const may = (need: Role) => role !== null && rank[role] >= rank[need]
  const q = encodeURIComponent

  server.registerTool(
    'list_tasks',
    {
      description: "List the bot's jobs with trigger, priority, dependencies, state, next fire time and last run.",
      inputSchema: {
        limit: z.number().int().min(1).max(500).optional().describe('page size (default 100)'),
        cursor: z.string().regex(/^\d+$/).optional(),
      },
    },
    ({ limit, cursor }) =>
      answer(() => api.call('GET', `/api/jobs?limit=${limit ?? 100}${cursor ? `&cursor=${cursor}` : ''}`)),
  )
  server.registerTool(
    'explain_task',
    {
      description:
        'Why a job is or is not running now (gas, dependencies, breaker, schedule...), with its recent runs.',
      inputSchema: { jobId },
    },
    ({ jobId: id }) => answer(() => api.call('GET', `/api/jobs/${q(id)}`)),
  )
  if (may('operator')) {
    server.registerTool(
      'execute_task_now',
      {
        description:
          'Start one run of a job now (optionally with replacement args); caps, simulation and the risk gate still apply.',
        inputSchema: {
          jobId,
          args: z.record(z.string(), z.unknown()).optional().describe("replaces the job's args for this run"),
        },
      },
      ({ jobId: id, args }) =>
        answer(() => api.call('POST', `/api/jobs/${q(id)}/run`, args === undefined ? {} : { args })),
    )
    server.registerTool(
      'schedule_task',
      {
        description:
          'Add a job, defined like a config `jobs[]` entry (id, taskType, trigger, args, priority, dependencies...).',
        inputSchema: {
          job: z
            .looseObject({ id: z.string().min(1).max(128), taskType: z.string().min(1).max(64) })
            .describe('the job definition'),
        },
      },
      ({ job }) => answer(() => api.call('POST', '/api/jobs', job)),
    )
    server.registerTool(
      'cancel_task',
      {
        description: "Cancel a job's pending runs and disable it; remove: true deletes the job too (history is kept).",
        inputSchema: { jobId, remove: z.boolean().optional() },
      },
      ({ jobId: id, remove }) => answer(() => api.call('DELETE', `/api/jobs/${q(id)}${remove ? '?remove=true' : ''}`)),
    )
    server.registerTool(
      'run_cleanup',
      {
        description:
          'Run housekeeping now: retention, SQLite upkeep, registered directory cleanup; dryRun reports only.',
        inputSchema: { dryRun: z.boolean().optional() },
      },
      ({ dryRun }) => answer(() => api.call('POST', '/api/cleanup/run', dryRun === undefined ? {} : { dryRun })),
    )
  }
  if (may('admin')) {
    server.registerTool(
      'register_cleanup',
      {
        description: 'Register a directory whose matching files housekeeping may delete by age, count or total size.',
        inputSchema: {
          directory: z.string().min(1),
          pattern: z.string().optional().describe('file-name glob, default "*"'),
          retentionDays: z.number().positive().optional(),
          maxFiles: z.number().int().positive().optional(),
          maxSizeMb: z.number().positive().optional(),
          priority: z.number().int().min(-100).max(100).optional(),
        },
      },
      (target) => answer(() => api.call('POST', '/api/cleanup/targets', target)),
    )
  }
  return server
}
