// A local JSON-RPC proxy (node:http) in front of anvil that injects faults by rule, method and seeded chance.
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** What a rule does to a matching call. */
export type Fault =
  /** A JSON-RPC error object in an HTTP 200 answer (per call, also inside a batch). */
  | { kind: 'rpc-error'; code?: number; message?: string }
  /** A bare HTTP status (429, 500, 502, 503...) for the whole request. */
  | { kind: 'http'; status: number; body?: string }
  /** Answer after `ms` (a client with a shorter timeout sees a timeout). */
  | { kind: 'delay'; ms: number }
  /** Never answer until the proxy is closed or `releaseHangs()` is called. */
  | { kind: 'hang' }
  /** Answer eth_blockNumber / eth_getBlockByNumber('latest'|'pending'|higher) from a frozen height. */
  | { kind: 'stale'; height?: bigint }
  /** Destroy the connection without an answer (ECONNRESET / "other side closed" on the client). */
  | { kind: 'drop' }

/** A fault rule: which calls it hits and when. */
export interface FaultRule {
  /** JSON-RPC method(s) the rule applies to; all methods when omitted. */
  method?: string | readonly string[]
  fault: Fault
  /**
   * 'before' (default): the call never reaches anvil. 'after': anvil executes it, then the client gets the
   * fault instead of the real answer (the nasty case: a transaction went out but the client saw an error).
   */
  phase?: 'before' | 'after'
  /** Hit only every Nth matching call (the Nth, 2Nth, ...). */
  every?: number
  /** Hit each matching call with this probability (seeded RNG). */
  probability?: number
  /** Stop after this many hits. */
  times?: number
}

/** Probabilistic chaos: each call draws once; rates are fractions of calls. */
export interface ChaosOptions {
  errorRate: number
  hangRate: number
  staleRate: number
  /** Methods exposed to chaos; all when omitted. */
  methods?: readonly string[]
}

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:PORT` plus `path` if given at start (the proxy ignores paths). */
  url: string
  port: number
  /** Adds a rule (evaluated in insertion order, first hit wins); returns a function removing it. */
  addRule(rule: FaultRule): () => void
  clearRules(): void
  /** Enables seeded chaos on top of the rules (pass undefined to switch it off). */
  setChaos(chaos: ChaosOptions | undefined): void
  /** Calls received per method (batched calls counted one by one). */
  counts(): Record<string, number>
  /** Raw transactions received by eth_sendRawTransaction, in arrival order (faulted ones included). */
  rawSends(): string[]
  /** HTTP requests received (a JSON-RPC batch is one). */
  httpRequests(): number
  /** How many times faults were injected, per fault kind. */
  injected(): Record<string, number>
  resetCounts(): void
  /** Points the proxy at another upstream (a node restarted on a new port); calls in flight finish on the old one. */
  setTarget(url: string): void
  /** Answers every hung request with an error now (hangs otherwise last until close). */
  releaseHangs(): void
  /** Stops listening and destroys every socket, hung ones included. */
  close(): Promise<void>
}

/** Options for starting the proxy. */
export interface FaultProxyOptions {
  /** Upstream JSON-RPC URL (anvil). */
  target: string
  /** Seed of the RNG used by `probability` rules and chaos; same seed, same fault sequence. */
  seed?: number
  /** A path appended to `url` (e.g. `/v3/CANARYKEY`) so clients carry it like a provider API key. */
  path?: string
}

interface RpcCall {
  jsonrpc?: string
  id?: unknown
  method: string
  params?: unknown[]
}
type RpcAnswer = Record<string, unknown>
interface RuleState {
  rule: FaultRule
  seen: number
  hits: number
}
type Decision = { fault: Fault; phase: 'before' | 'after' } | undefined

const BLOCK_METHODS = new Set(['eth_blockNumber', 'eth_getBlockByNumber'])

/** mulberry32: a small, fast, seedable PRNG so chaos runs are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Starts the proxy on 127.0.0.1 with a free port. Always `close()` it (tests: in afterAll/finally). */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const rng = seededRandom(options.seed ?? 1)
  let rules: RuleState[] = []
  let chaos: ChaosOptions | undefined
  let calls: Record<string, number> = {}
  let faults: Record<string, number> = {}
  let raws: string[] = []
  let frozenHeight: bigint | undefined
  const sockets = new Set<Socket>()
  const hung = new Set<ServerResponse>()
  let closed = false
  let target = options.target

  const decide = (method: string): Decision => {
    for (const st of rules) {
      const r = st.rule
      const methods = r.method === undefined ? undefined : typeof r.method === 'string' ? [r.method] : r.method
      if (methods && !methods.includes(method)) continue
      if (r.fault.kind === 'stale' && !BLOCK_METHODS.has(method)) continue
      if (r.times !== undefined && st.hits >= r.times) continue
      st.seen++
      if (r.every !== undefined && st.seen % r.every !== 0) continue
      if (r.probability !== undefined && rng() >= r.probability) continue
      st.hits++
      return { fault: r.fault, phase: r.phase ?? 'before' }
    }
    if (chaos && (!chaos.methods || chaos.methods.includes(method))) {
      const x = rng()
      if (x < chaos.errorRate) {
        // Mix of error shapes, including the forward-then-fail case.
        const pick = Math.floor(rng() * 4)
        if (pick === 0)
          return { fault: { kind: 'rpc-error', code: -32603, message: 'chaos: internal error' }, phase: 'before' }
        if (pick === 1) return { fault: { kind: 'http', status: 503 }, phase: 'before' }
        if (pick === 2) return { fault: { kind: 'http', status: 429 }, phase: 'before' }
        return { fault: { kind: 'http', status: 502 }, phase: 'after' }
      }
      if (x < chaos.errorRate + chaos.hangRate) return { fault: { kind: 'hang' }, phase: 'before' }
      if (x < chaos.errorRate + chaos.hangRate + chaos.staleRate && BLOCK_METHODS.has(method)) {
        return { fault: { kind: 'stale' }, phase: 'before' }
      }
    }
    return undefined
  }

  const upstream = async (body: unknown): Promise<unknown> => {
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return res.json()
  }

  const currentHeight = async (): Promise<bigint> => {
    const ans = (await upstream({ jsonrpc: '2.0', id: 0, method: 'eth_blockNumber', params: [] })) as { result: string }
    return BigInt(ans.result)
  }

  /** Answers eth_blockNumber from the frozen height, or rewrites a block-by-number call ahead of it to that height. */
  const staleCall = async (call: RpcCall, fault: Extract<Fault, { kind: 'stale' }>): Promise<RpcCall | RpcAnswer> => {
    frozenHeight ??= fault.height ?? (await currentHeight())
    const hex = `0x${frozenHeight.toString(16)}`
    if (call.method === 'eth_blockNumber') return { jsonrpc: '2.0', id: call.id ?? null, result: hex }
    const [tag, full] = call.params ?? []
    const isAhead =
      typeof tag === 'string' &&
      (tag === 'latest' || tag === 'pending' || (tag.startsWith('0x') && BigInt(tag) > frozenHeight))
    return isAhead ? { ...call, params: [hex, full ?? false] } : call
  }

  const handle = async (res: ServerResponse, raw: string): Promise<void> => {
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } }))
      return
    }
    const isBatch = Array.isArray(parsed)
    const list = (isBatch ? parsed : [parsed]) as RpcCall[]
    const decisions = list.map((c) => {
      calls[c.method] = (calls[c.method] ?? 0) + 1
      if (c.method === 'eth_sendRawTransaction') raws.push(String(c.params?.[0]))
      const d = decide(c.method)
      if (d) faults[d.fault.kind] = (faults[d.fault.kind] ?? 0) + 1
      return d
    })
    // A request-level fault (http, hang, drop, delay) on any call applies to the whole HTTP request.
    const whole = decisions.find((d) => d && d.fault.kind !== 'rpc-error' && d.fault.kind !== 'stale')
    if (whole && whole.phase === 'before') {
      if (whole.fault.kind === 'delay') await sleep(whole.fault.ms)
      return applyWhole(whole.fault, res, () => forwardAll(list, decisions), isBatch)
    }

    const answers = await forwardAll(list, decisions)
    if (whole) return applyWhole(whole.fault, res, async () => answers, isBatch, false)
    const out = answers.map((a, i) => {
      const d = decisions[i]
      if (d?.fault.kind === 'rpc-error' && d.phase === 'after') return rpcError(list[i]!, d.fault)
      return a
    })
    send(res, 200, JSON.stringify(isBatch ? out : out[0]))
  }

  /** Forwards the calls that are not failed before forwarding; returns one answer per call, in order. */
  const forwardAll = async (list: RpcCall[], decisions: Decision[]): Promise<RpcAnswer[]> => {
    const answers: (RpcAnswer | undefined)[] = new Array(list.length)
    const toSend: { i: number; call: RpcCall }[] = []
    for (let i = 0; i < list.length; i++) {
      const call = list[i]!
      const d = decisions[i]
      if (d?.fault.kind === 'rpc-error' && d.phase === 'before') {
        answers[i] = rpcError(call, d.fault)
        continue
      }
      if (d?.fault.kind === 'stale') {
        const r = await staleCall(call, d.fault)
        if ('result' in r) {
          answers[i] = r
          continue
        }
        toSend.push({ i, call: r as RpcCall })
        continue
      }
      toSend.push({ i, call })
    }
    if (toSend.length > 0) {
      const got = (await upstream(toSend.map((t) => t.call))) as RpcAnswer[]
      const byId = new Map(got.map((g) => [JSON.stringify(g.id), g]))
      for (const t of toSend) answers[t.i] = byId.get(JSON.stringify(t.call.id)) ?? got[toSend.indexOf(t)]
    }
    return answers.map((a, i) => a ?? rpcError(list[i]!, { kind: 'rpc-error', message: 'proxy: no upstream answer' }))
  }

  const applyWhole = async (
    fault: Fault,
    res: ServerResponse,
    forward: () => Promise<RpcAnswer[]>,
    isBatch: boolean,
    fromBefore = true,
  ): Promise<void> => {
    if (fault.kind === 'hang') {
      hung.add(res)
      res.on('close', () => hung.delete(res))
      return
    }
    if (fault.kind === 'drop') {
      res.socket?.destroy()
      return
    }
    if (fault.kind === 'http') {
      send(res, fault.status, fault.body ?? `{"error":"proxy injected HTTP ${fault.status}"}`)
      return
    }
    if (fault.kind === 'delay') {
      // 'before': already waited, now forward; 'after': forwarded already, wait now.
      const answers = await forward()
      if (!fromBefore) await sleep(fault.ms)
      if (!res.writableEnded && !res.destroyed) send(res, 200, JSON.stringify(isBatch ? answers : answers[0]))
    }
  }

  let httpRequests = 0
  const server: Server = createServer((req, res) => {
    httpRequests++
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      handle(res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed)
          send(res, 502, JSON.stringify({ error: `proxy upstream failed: ${(err as Error).message}` }))
      })
    })
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}${options.path ?? ''}`,
    port,
    addRule(rule) {
      const st: RuleState = { rule, seen: 0, hits: 0 }
      rules.push(st)
      return () => {
        rules = rules.filter((r) => r !== st)
      }
    },
    clearRules() {
      rules = []
      frozenHeight = undefined
    },
    setChaos(c) {
      chaos = c
      if (!c) frozenHeight = undefined
    },
    counts: () => ({ ...calls }),
    rawSends: () => [...raws],
    httpRequests: () => httpRequests,
    injected: () => ({ ...faults }),
    resetCounts() {
      calls = {}
      faults = {}
      raws = []
      httpRequests = 0
    },
    setTarget(url) {
      target = url
    },
    releaseHangs() {
      for (const res of hung) send(res, 503, '{"error":"proxy released a hung request"}')
      hung.clear()
    },
    async close() {
      if (closed) return
      closed = true
      for (const s of sockets) s.destroy()
      hung.clear()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function rpcError(call: RpcCall, fault: Extract<Fault, { kind: 'rpc-error' }>): RpcAnswer {
  return {
    jsonrpc: '2.0',
    id: call.id ?? null,
    error: { code: fault.code ?? -32603, message: fault.message ?? 'proxy injected error' },
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

function send(res: ServerResponse, status: number, body: string): void {
  if (res.writableEnded || res.destroyed) return
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}
