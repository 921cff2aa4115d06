// Drives N concurrent keep-alive clients against the operations API for a while and counts answers (load test/bench).
import { Agent, request } from 'node:http'

/** What one load round saw. */
export interface LoadResult {
  requests: number
  errors: number
  /** Status codes and error messages of the failures, first few only, to show what broke. */
  errorSamples: string[]
  reqPerS: number
  latencyP50Ms: number
  latencyP99Ms: number
  byPath: Record<string, number>
}

/** Options of a load round. */
export interface LoadOptions {
  baseUrl: string
  clients: number
  durationMs: number
  /** Read paths the clients cycle through (each client starts at a different one). */
  paths: string[]
  /** Bearer token sent with every request, if any. */
  token?: string
  /** Also send `POST /api/jobs/<id>/run` every `everyMs` from one client (mutations under load). */
  mutation?: { jobId: string; everyMs: number }
}

/** The p-th percentile of xs (nearest rank). */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN
}

/** Runs the round; every non-2xx answer, socket error or timeout counts as an error. */
export async function runApiLoad(o: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.clients + 1 })
  const url = new URL(o.baseUrl)
  const headers: Record<string, string> = o.token ? { authorization: `Bearer ${o.token}` } : {}
  const latencies: number[] = []
  const byPath: Record<string, number> = {}
  const samples: string[] = []
  let errors = 0
  let requests = 0
  const fail = (what: string) => {
    errors++
    if (samples.length < 10) samples.push(what)
  }
  const call = (method: string, path: string) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now()
      let settled = false
      const settle = (error?: string) => {
        if (settled) return
        settled = true
        requests++
        if (error) fail(error)
        resolve()
      }
      const req = request(
        { host: url.hostname, port: url.port, path, method, agent, headers, timeout: 10_000 },
        (res) => {
          res.resume()
          res.on('error', (e) => settle(`${method} ${path}: ${e.message}`))
          res.on('end', () => {
            latencies.push(performance.now() - t0)
            byPath[path] = (byPath[path] ?? 0) + 1
            settle((res.statusCode ?? 0) >= 300 ? `${method} ${path} -> ${res.statusCode}` : undefined)
          })
        },
      )
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.on('error', (e) => settle(`${method} ${path}: ${e.message}`))
      req.end()
    })
  const started = performance.now()
  const until = started + o.durationMs
  const client = async (i: number) => {
    for (let k = i; performance.now() < until; k++) await call('GET', o.paths[k % o.paths.length]!)
  }
  const mutator = async () => {
    if (!o.mutation) return
    while (performance.now() + o.mutation.everyMs < until) {
      await call('POST', `/api/jobs/${encodeURIComponent(o.mutation.jobId)}/run`)
      await new Promise((r) => setTimeout(r, o.mutation!.everyMs))
    }
  }
  await Promise.all([...Array.from({ length: o.clients }, (_, i) => client(i)), mutator()])
  const elapsedS = (performance.now() - started) / 1000
  agent.destroy()
  return {
    requests,
    errors,
    errorSamples: samples,
    reqPerS: Math.round(latencies.length / elapsedS),
    latencyP50Ms: Math.round(percentile(latencies, 50) * 100) / 100,
    latencyP99Ms: Math.round(percentile(latencies, 99) * 100) / 100,
    byPath,
  }
}
