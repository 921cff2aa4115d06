// Backup taken mid-run (a transfer broadcast but not mined), restored after more was sent: the restarted bot
// confirms the in-flight intent without re-sending it, sees the chain ahead of the restored journal, and halts.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANVIL_TEST_KEYS, anvilRpc } from '../../src/devnet/anvil.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { waitForRun } from '../../src/bot/once.ts'
import { createBotRuntime, type BotRuntime } from '../../src/bot/runtime.ts'
import { parseConfig } from '../../src/config/load.ts'
import { backupDatabase, restoreDatabase } from '../../src/housekeeping/backup.ts'
import { acquireStateLock } from '../../src/store/lock.ts'
import { runMain } from '../cli/helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-restore-'))
const statePath = join(dir, 'state', 'bot.db')
const env = { OPS_KEY: ANVIL_TEST_KEYS[2]!, COLD_KEY: ANVIL_TEST_KEYS[3]! }
let devnet: Devnet
const runtimes: BotRuntime[] = []
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: join(dir, 'addresses.json'), relayer: false })
}, 120_000)
afterAll(async () => {
  for (const rt of runtimes) await rt.close({ graceMs: 0 }).catch(() => {})
  await devnet?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function bot(): Promise<BotRuntime> {
  const cold = devnet.accounts[3]!.address
  const pay = (id: string) => ({
    id,
    taskType: 'protocol_call',
    trigger: 'manual',
    args: {
      adapter: 'native-transfer',
      wallet: 'ops',
      params: { chainId: devnet.l1.chainId, to: cold, amount: '10000000000000000 wei' },
    },
  })
  const config = await parseConfig(
    {
      chains: [{ id: devnet.l1.chainId, name: 'l1', rpcUrls: [devnet.l1.rpcUrl], allowlist: [cold] }],
      wallets: [
        { name: 'ops', privateKeyEnv: 'OPS_KEY' },
        { name: 'cold', privateKeyEnv: 'COLD_KEY' },
      ],
      protocols: { 'native-transfer': {} },
      addressBook: join(dir, 'addresses.json'),
      jobs: [pay('pay-a'), pay('pay-b'), pay('pay-c')],
      store: { path: statePath },
    },
    'restore-test',
    { env: { ...env } },
  )
  // A copy each time: the signer scrubs the key from the environment it was given.
  const rt = await createBotRuntime(config, { logger: pino({ level: 'silent' }), env: { ...env } })
  runtimes.push(rt)
  await rt.start()
  return rt
}
const finished = (rt: BotRuntime, runId: string) => waitForRun(rt, runId, AbortSignal.timeout(60_000))
const opsNonce = () => devnet.l1.client.getTransactionCount({ address: devnet.accounts[2]!.address })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('backup and restore', () => {
  it('restores a mid-run backup without sending any intent twice', async () => {
    const rt1 = await bot()
    const first = await finished(rt1, rt1.scheduler.runNow('pay-a'))
    expect(first.status, String(first.error)).toBe('succeeded')

    await anvilRpc(devnet.l1.rpcUrl, 'evm_setAutomine', [false])
    const runB = rt1.scheduler.runNow('pay-b')
    const inFlight = rt1.db.prepare("SELECT COUNT(*) AS n FROM tx_intents WHERE status = 'broadcast'")
    await expect.poll(() => (inFlight.get() as { n: number }).n, { timeout: 30_000 }).toBe(1)
    const backup = await backupDatabase(rt1.db, join(dir, 'backups'))
    await anvilRpc(devnet.l1.rpcUrl, 'evm_setAutomine', [true])
    await anvilRpc(devnet.l1.rpcUrl, 'evm_mine')
    expect((await finished(rt1, runB)).status).toBe('succeeded')
    expect((await finished(rt1, rt1.scheduler.runNow('pay-c'))).status).toBe('succeeded')
    expect(await opsNonce()).toBe(3)

    // A running bot holds the state lock: restore refuses and changes nothing.
    const cfgPath = join(dir, 'cli.json')
    await import('node:fs').then((fs) => fs.writeFileSync(cfgPath, JSON.stringify({ store: { path: statePath } })))
    const lock = acquireStateLock(statePath)
    const refused = await runMain(['restore', backup.path, '--yes', '--config', cfgPath])
    lock.release()
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/lock|running/i)

    await rt1.close()
    const restored = await restoreDatabase(backup.path, statePath, { safetyDir: join(dir, 'backups') })
    expect(restored.previousSavedAs).toMatch(/pre-restore-/)

    const rt2 = await bot()
    // The run that was in flight at backup time is reconciled from its journaled bytes, not signed again.
    await expect
      .poll(() => rt2.scheduler.listRuns({ jobId: 'pay-b', limit: 1 }).runs[0]?.status, { timeout: 30_000 })
      .toBe('succeeded')
    const breaker = rt2.breaker.status()
    expect(breaker.state).toBe('open')
    expect(JSON.stringify(breaker)).toMatch(/state restored from .*chain nonce 3, journal knows up to 2/)
    // Halted: a run asked for now is held, and nothing reaches the chain.
    rt2.scheduler.runNow('pay-c')
    await sleep(2_000)
    expect(await opsNonce()).toBe(3)
    const perNonce = rt2.db
      .prepare(
        "SELECT nonce, COUNT(*) AS n FROM tx_intents WHERE dry_run = 0 AND status IN ('mined', 'confirmed') GROUP BY nonce",
      )
      .all() as { nonce: number; n: number }[]
    expect(perNonce).toEqual([
      { nonce: 0, n: 1 },
      { nonce: 1, n: 1 },
    ])
  }, 180_000)
})
