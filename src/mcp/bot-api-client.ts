// A small client of the running bot's operations API, for `bot mcp`: every call goes through the bot's own
// token, role, rate-limit and audit checks, so the MCP bridge can do nothing its token could not do over HTTP.

/** An API answer that was not 2xx, with the bot's message and hint. */
export class BotApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message)
    this.name = 'BotApiError'
  }
}

/** The client: `call(method, path, body?)` resolves with the JSON answer or throws BotApiError. */
export interface BotApiClient {
  call(method: string, path: string, body?: unknown): Promise<unknown>
}

/** Creates the client; the token (if any) is sent as a bearer token and never logged. */
export function createBotApiClient(baseUrl: string, token: string | undefined, timeoutMs = 30_000): BotApiClient {
  return {
    async call(method, path, body) {
      let res: Response
      try {
        res = await fetch(new URL(path, baseUrl), {
          method,
          headers: {
            'X-Bot-Client': 'mcp',
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
            ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (err) {
        throw new BotApiError(
          0,
          `the bot's API at ${baseUrl} does not answer (${(err as Error).message})`,
          'start it with `bot run` (server.enabled or --port) or pass --url',
        )
      }
      const text = await res.text()
      const json = text ? (JSON.parse(text) as unknown) : null
      if (!res.ok) {
        const e = (json as { error?: { message?: string; hint?: string } } | null)?.error
        throw new BotApiError(res.status, e?.message ?? `HTTP ${res.status}`, e?.hint)
      }
      return json
    },
  }
}
