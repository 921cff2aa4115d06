// `bot devnet --mainnet-shaped`: serves the local Ethereum + Base pair at canonical addresses until aborted.
import { getAddress, isAddress, parseEther, toHex } from 'viem'
import type { CliServices } from '../bot/services.ts'
import { UsageError } from './errors.ts'

/** Seconds between blocks of the served pair: heads stay fresh for the gas oracle, confirmations keep coming. */
const BLOCK_TIME_S = 1

/**
 * Starts the mainnet-shaped pair with interval mining, gives each `fund` address 100 ETH on both chains, reports
 * the RPC URLs and every canonical address it carries, and stops both chains when `signal` aborts.
 */
export async function runMainnetShaped(o: Parameters<CliServices['devnet']>[0]): Promise<void> {
  const fund = (o.fund ?? []).map((a) => {
    if (!isAddress(a, { strict: false }))
      throw new UsageError(
        `--fund ${a} is not an address`,
        'give a 0x-prefixed 20-byte address, e.g. your keystore address',
      )
    return getAddress(a)
  })
  o.onProgress({
    kind: 'step',
    message: 'starting anvil with chain ids 1 and 8453, placing contracts at canonical addresses',
  })
  const { startMainnetShaped } = await import('../devnet/mainnet/mainnet-shaped.ts')
  const { anvilRpc } = await import('../devnet/anvil.ts')
  const m = await startMainnetShaped({ blockTime: BLOCK_TIME_S })
  try {
    for (const c of [m.l1, m.l2])
      for (const a of fund) await anvilRpc(c.rpcUrl, 'anvil_setBalance', [a, toHex(parseEther('100'))])
    const contracts: Record<string, string> = {}
    for (const [chainId, entries] of Object.entries(m.carried))
      for (const e of entries) contracts[`${chainId}.${e.name}`] = e.address
    o.onReady({
      chains: [
        { chainId: m.l1.chainId, rpcUrl: m.l1.rpcUrl, role: 'l1' },
        { chainId: m.l2.chainId, rpcUrl: m.l2.rpcUrl, role: 'l2' },
      ],
      contracts,
      accounts: fund,
    })
    await new Promise<void>((resolve) => {
      if (o.signal.aborted) return resolve()
      o.signal.addEventListener('abort', () => resolve(), { once: true })
    })
  } finally {
    await m.stop()
  }
}
