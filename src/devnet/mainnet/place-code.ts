// Moves contracts deployed at scratch addresses to canonical addresses on an anvil: runtime code plus storage.
import { gunzipSync } from 'node:zlib'
import type { Address, Hex } from 'viem'
import { AppError } from '../../errors/app-error.ts'

/** One contract to move: deployed at `from`, to live at `to`. */
export interface Placement {
  from: Address
  to: Address
  /** For errors and the placement record. */
  label: string
}

interface DumpedAccount {
  code?: Hex
  storage?: Record<string, Hex>
}

/**
 * Reads the whole chain state once (`anvil_dumpState`), then for each placement sets the runtime code at the
 * canonical address and writes every storage slot the constructor (and any setup call) wrote, and clears the
 * scratch copy so only the canonical one answers. An immutable holding the contract's own address (Uniswap V3's
 * NoDelegateCall `original`) would still name the scratch address, so every occurrence of it in the runtime code
 * is rewritten to the canonical one; immutables naming OTHER contracts must already be canonical when deployed.
 */
export async function placeAtCanonical(rpcUrl: string, placements: readonly Placement[]): Promise<void> {
  if (placements.length === 0) return
  const state = await dumpState(rpcUrl)
  const calls: [string, unknown[]][] = []
  for (const p of placements) {
    const acct = state.get(p.from.toLowerCase())
    if (!acct?.code || acct.code === '0x')
      throw new AppError('MAINNET_SHAPED', `${p.label}: no code at its scratch address ${p.from}`, {
        hint: 'the deploy transaction must be mined before the contract is placed',
      })
    const self = p.from.slice(2).toLowerCase()
    const code = `0x${acct.code.slice(2).toLowerCase().split(self).join(p.to.slice(2).toLowerCase())}` as Hex
    calls.push(['anvil_setCode', [p.to, code]])
    for (const [slot, value] of Object.entries(acct.storage ?? {}))
      calls.push(['anvil_setStorageAt', [p.to, pad32(slot), pad32(value)]])
    calls.push(['anvil_setCode', [p.from, '0x']])
  }
  await rpcBatch(rpcUrl, calls)
}

async function dumpState(rpcUrl: string): Promise<Map<string, DumpedAccount>> {
  const [hex] = await rpcBatch<Hex>(rpcUrl, [['anvil_dumpState', []]])
  const raw = Buffer.from(hex!.slice(2), 'hex')
  // anvil gzips the dump; older builds returned plain JSON bytes.
  const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8')
  const json = JSON.parse(text) as { accounts: Record<string, DumpedAccount> }
  return new Map(Object.entries(json.accounts).map(([a, v]) => [a.toLowerCase(), v]))
}

function pad32(v: string): Hex {
  return `0x${BigInt(v).toString(16).padStart(64, '0')}`
}

/** One HTTP round trip for many JSON-RPC calls; any error fails the whole batch. */
async function rpcBatch<T>(rpcUrl: string, calls: [string, unknown[]][]): Promise<T[]> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params }))),
  })
  const body = (await res.json()) as { id: number; result?: T; error?: { message: string } }[]
  const byId = new Map(body.map((r) => [r.id, r]))
  return calls.map(([method], id) => {
    const r = byId.get(id)
    if (!r || r.error)
      throw new AppError('MAINNET_SHAPED', `${method} failed: ${r?.error?.message ?? 'no answer'}`, {
        hint: 'the mainnet-shaped chain needs anvil cheat methods (anvil_setCode, anvil_setStorageAt)',
      })
    return r.result as T
  })
}
