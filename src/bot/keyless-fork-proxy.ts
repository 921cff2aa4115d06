// JSON-RPC proxy in front of a dry-run fork: sends keyless wallets' transactions through anvil's impersonation.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { keccak256, toHex, type Hex } from 'viem'
import { parseKeylessTransaction } from '../chain/keyless-account.ts'

/** A running proxy. */
export interface KeylessForkProxy {
  url: string
  /** Keyless transactions sent through impersonation so far. */
  impersonatedSends(): number
  close(): Promise<void>
}

interface RpcCall {
  jsonrpc: '2.0'
  id: unknown
  method: string
  params?: unknown[]
}
interface RpcAnswer {
  jsonrpc: '2.0'
  id: unknown
  result?: unknown
  error?: unknown
}

/**
 * Starts a proxy on 127.0.0.1 in front of `forkUrl`. Every call passes through unchanged except a keyless
 * transaction (see keylessAccount): it is sent with `anvil_impersonateAccount` + `eth_sendTransaction` with the
 * same nonce, gas, fees, target, value and data. The engine keeps the hash it journaled (keccak of the bytes it
 * made); the proxy maps that hash to the fork's own hash for receipt and transaction lookups, so confirmation,
 * re-broadcast (answered "known") and reconciliation work as for a signed transaction. Only ever in front of a
 * local fork: a real node would refuse these transactions anyway (the marker is no valid signature for the sender).
 */
export async function startKeylessForkProxy(forkUrl: string): Promise<KeylessForkProxy> {
  const ours = new Map<string, Hex>() // journaled hash -> fork hash
  const theirs = new Map<string, Hex>() // fork hash -> journaled hash
  const impersonated = new Set<string>()
  let sends = 0
  let id = 0
  const upstream = async (method: string, params: unknown[]): Promise<RpcAnswer> => {
    const res = await fetch(forkUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
    })
    return (await res.json()) as RpcAnswer
  }
  const rewriteHashes = (v: unknown): unknown => {
    if (typeof v === 'string') return theirs.get(v.toLowerCase()) ?? v
    if (Array.isArray(v)) return v.map(rewriteHashes)
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>
      const out: Record<string, unknown> = { ...o }
      for (const k of ['hash', 'transactionHash']) if (typeof o[k] === 'string') out[k] = rewriteHashes(o[k])
      if (Array.isArray(o.logs)) out.logs = o.logs.map(rewriteHashes)
      return out
    }
    return v
  }
  const handle = async (call: RpcCall): Promise<RpcAnswer> => {
    const params = call.params ?? []
    const answer = (a: RpcAnswer): RpcAnswer => ({ jsonrpc: '2.0', id: call.id, result: a.result, error: a.error })
    if (call.method === 'eth_sendRawTransaction' && typeof params[0] === 'string') {
      const keyless = parseKeylessTransaction(params[0] as Hex)
      if (keyless) {
        const mine = keccak256(params[0] as Hex)
        if (ours.has(mine)) return { jsonrpc: '2.0', id: call.id, result: mine }
        const from = keyless.from.toLowerCase()
        if (!impersonated.has(from)) {
          const r = await upstream('anvil_impersonateAccount', [keyless.from])
          if (r.error) return answer(r)
          impersonated.add(from)
        }
        const t = keyless.tx
        const sent = await upstream('eth_sendTransaction', [
          {
            from: keyless.from,
            to: t.to,
            value: toHex(t.value ?? 0n),
            data: t.data ?? '0x',
            gas: toHex(t.gas ?? 0n),
            nonce: toHex(t.nonce ?? 0),
            maxFeePerGas: toHex(t.maxFeePerGas ?? 0n),
            maxPriorityFeePerGas: toHex(t.maxPriorityFeePerGas ?? 0n),
          },
        ])
        if (sent.error) return answer(sent)
        ours.set(mine, (sent.result as Hex).toLowerCase() as Hex)
        theirs.set((sent.result as string).toLowerCase(), mine)
        sends++
        return { jsonrpc: '2.0', id: call.id, result: mine }
      }
    }
    if (
      (call.method === 'eth_getTransactionReceipt' || call.method === 'eth_getTransactionByHash') &&
      typeof params[0] === 'string' &&
      ours.has(params[0].toLowerCase())
    ) {
      const r = await upstream(call.method, [ours.get(params[0].toLowerCase())])
      return answer({ ...r, result: rewriteHashes(r.result) })
    }
    return answer(await upstream(call.method, params))
  }
  const server: Server = createServer((req, res) => {
    void readBody(req)
      .then(async (body) => {
        const parsed = JSON.parse(body) as RpcCall | RpcCall[]
        // A batch is handled in order: sends of one lane arrive in nonce order, as the engine sent them.
        let out: RpcAnswer | RpcAnswer[]
        if (Array.isArray(parsed)) {
          out = []
          for (const call of parsed) out.push(await handle(call))
        } else out = await handle(parsed)
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(out))
      })
      .catch((err: unknown) => {
        res.writeHead(502, { 'content-type': 'text/plain' })
        res.end(`keyless fork proxy: ${(err as Error).message}`)
      })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    impersonatedSends: () => sends,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => (body += c))
    req.on('end', () => resolve(body))
    req.on('error', reject)
  })
}
