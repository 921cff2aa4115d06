// Runs the devnet's relayers in a worker thread: the bot's embedded devnet uses it so that polling both anvils
// every 100-250 ms does not stall the scheduler's thread.
import { Worker } from 'node:worker_threads'
import type { DevnetAddresses } from './devnet-addresses.ts'
import type { DevnetRelayersOptions } from './devnet-relayers.ts'

const BOOT = new URL('./relayers-worker-boot.mjs', import.meta.url)

/** Relayers running in their own thread. */
export interface RelayersThread {
  /** Stops both relayers (an in-flight poll finishes first) and ends the thread; safe to call twice. */
  stop(): Promise<void>
}

/** Starts the relayers in a worker thread and resolves once they poll. */
export async function startRelayersThread(
  addresses: DevnetAddresses,
  opts: DevnetRelayersOptions,
): Promise<RelayersThread> {
  const { onError, ...options } = opts
  const worker = new Worker(BOOT, { workerData: { addresses, options }, name: 'devnet-relayers' })
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  worker.on('message', (m: { type: string; message?: string }) => {
    if (m.type === 'error') onError?.(new Error(m.message))
  })
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject)
    worker.on('message', (m: { type: string }) => {
      if (m.type === 'ready') resolve()
    })
    void exited.then(() => reject(new Error('the devnet relayers thread exited before it was ready')))
  })
  // The thread must never keep the process alive on its own: stop() ends it, and an exit ends it anyway.
  worker.unref()
  let stopping: Promise<void> | undefined
  return {
    stop: () =>
      (stopping ??= (async () => {
        const stopped = new Promise<void>((resolve) => {
          worker.on('message', (m: { type: string }) => {
            if (m.type === 'stopped') resolve()
          })
          const timer = setTimeout(resolve, 5_000)
          timer.unref()
        })
        worker.postMessage({ type: 'stop' })
        await Promise.race([stopped, exited])
        await worker.terminate()
      })()),
  }
}
