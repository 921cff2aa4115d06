// `bot mcp`: an MCP server on stdio for agents, bridged to the running bot's API with the token in BOT_MCP_TOKEN.
import { defineCommand } from '../command.ts'
import { UsageError } from '../errors.ts'

/** Environment variable holding the MCP bridge's API token (never an argument). */
export const MCP_TOKEN_ENV = 'BOT_MCP_TOKEN'

export const mcpCommand = defineCommand({
  name: 'mcp',
  summary: "serve agent tools over MCP (stdio), bridged to the running bot's API; read-only without an operator token",
  usage: 'mcp [--url <http://host:port>]',
  examples: [
    'bot mcp                                       talks to the bot at server.host:server.port',
    'BOT_MCP_TOKEN=bot_... bot mcp --url http://127.0.0.1:8787',
  ],
  options: {
    url: {
      type: 'string',
      valueName: '<url>',
      description: "the bot's API (default from server.host and server.port)",
    },
  },
  async run(ctx) {
    const given = ctx.values.url as string | undefined
    const server = ctx.config!.server
    const url = given ?? `http://${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`
    if (!/^https?:\/\/[^/\s]+\/?$/.test(url))
      throw new UsageError(
        `--url must be the API's origin, e.g. http://127.0.0.1:8787 (got "${url.slice(0, 80)}")`,
        'no path, no spaces',
      )
    const token = ctx.env[MCP_TOKEN_ENV] || undefined
    const [{ createBotApiClient }, { createBotMcpServer }, { StdioServerTransport }, { readFileSync }] =
      await Promise.all([
        import('../../mcp/bot-api-client.ts'),
        import('../../mcp/mcp-server.ts'),
        import('@modelcontextprotocol/sdk/server/stdio.js'),
        import('node:fs'),
      ])
    const api = createBotApiClient(url, token)
    const who = (await api.call('GET', '/api/whoami')) as { name: string; role: 'viewer' | 'operator' | 'admin' | null }
    const role = token ? who.role : null
    const version = (
      JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version
    const mcp = createBotMcpServer(api, role, version)
    const transport = new StdioServerTransport()
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve()
      process.stdin.once('end', () => resolve())
    })
    await mcp.connect(transport)
    ctx.logger.info({ url, as: who.name, role: role ?? 'read-only' }, 'mcp server ready on stdio')
    await Promise.race([
      closed,
      new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true })),
    ])
    await mcp.close()
  },
})
