// Worker thread that runs the devnet's relayers, so their polling of both chains never takes the bot's
// scheduler thread. Messages: 'stop' in; 'ready', 'error' (text only) and 'stopped' out.
import { parentPort, workerData } from 'node:worker_threads'
import { startDevnetRelayers, type DevnetRelayersOptions } from './devnet-relayers.ts'
import type { DevnetAddresses } from './devnet-addresses.ts'

const data = workerData as { addresses: DevnetAddresses; options: Omit<DevnetRelayersOptions, 'onError'> }
const port = parentPort!
const running = startDevnetRelayers(data.addresses, {
  ...data.options,
  onError: (err) => port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
})
port.on('message', (m: { type: string }) => {
  if (m.type !== 'stop') return
  void Promise.all([running.relayer.stop(), running.acrossRelayer.stop()]).finally(() => {
    port.postMessage({ type: 'stopped' })
    port.close()
  })
})
port.postMessage({ type: 'ready' })
