// Canary leak test for the engine: a canary key and an RPC URL with a canary API key never reach the logs,
// the intent journal (db, WAL) or any error the engine throws, across successes and failures.
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeFunctionData, parseEther, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createTxEngine, type TxEngine } from '../../src/chain/tx-engine.ts'
import { serializeError } from '../../src/logging/logger.ts'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts'
import {
  randomAddress,
  recordingPolicy,
  startEngineFixture,
  TARGET,
  testClient,
  type EngineFixture,
} from './engine-fixture.ts'

const CANARY_KEY = `0x${randomBytes(32).toString('hex')}` as Hex
const CANARY_API_KEY = `CANARYKEY${randomBytes(12).toString('hex')}`
const CANARIES = [CANARY_KEY.slice(2), CANARY_API_KEY]
const hits = (text: string) => CANARIES.filter((c) => text.toLowerCase().includes(c.toLowerCase()))

describe('engine canary leak', () => {
  let f: EngineFixture
  let proxy: FaultProxy
  let engine: TxEngine
  const account = privateKeyToAccount(CANARY_KEY)
  const errors: unknown[] = []
  const attempt = async (p: Promise<unknown>) => {
    try {
      await p
    } catch (err) {
      errors.push(err)
    }
  }

  beforeAll(async () => {
    f = await startEngineFixture()
    proxy = await startFaultProxy({ target: f.anvil.rpcUrl, seed: 11, path: `/v3/${CANARY_API_KEY}` })
    await f.rpc('anvil_setBalance', [account.address, `0x${parseEther('5').toString(16)}`])
    engine = createTxEngine({
      db: f.db,
      logger: f.logger,
      signers: [account],
      policy: recordingPolicy(),
      chains: [
        {
          chainId: f.anvil.chainId,
          client: testClient(proxy.url, f.anvil.chainId, 800),
          fees: { maxFeePerGas: 100_000_000_000n },
          pollMs: 30,
          rebroadcastMs: 200,
        },
      ],
    })
  })
  afterAll(async () => {
    await proxy?.close()
    await f?.close()
  })

  it('successes, reverts, lost broadcasts, chaos and refusals leave no canary anywhere', async () => {
    expect(proxy.url).toContain(CANARY_API_KEY)
    const chainId = f.anvil.chainId
    await engine.send({ chainId, to: randomAddress(), value: 1n }, { runId: 'k-ok', wallet: account.address })
    const target = await f.deployTarget()
    await attempt(
      engine.send(
        { chainId, to: target, data: encodeFunctionData({ abi: TARGET.abi, functionName: 'boom' }) },
        { runId: 'k-revert', wallet: account.address },
      ),
    )
    const stop = proxy.addRule({
      method: 'eth_sendRawTransaction',
      fault: { kind: 'http', status: 502 },
      phase: 'after',
      times: 2,
    })
    await engine.send({ chainId, to: randomAddress(), value: 2n }, { runId: 'k-lost', wallet: account.address })
    stop()
    await attempt(
      engine.send(
        { chainId, to: randomAddress(), value: parseEther('50') },
        { runId: 'k-poor', wallet: account.address },
      ),
    )
    proxy.setChaos({ errorRate: 0.4, hangRate: 0.05, staleRate: 0.05 })
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        attempt(
          engine.send({ chainId, to: randomAddress(), value: 3n }, { runId: `k-chaos-${i}`, wallet: account.address }),
        ),
      ),
    )
    proxy.setChaos(undefined)
    await engine.reconcileOpenIntents()
    await attempt(
      engine.send({ chainId: 999, to: randomAddress(), value: 1n }, { runId: 'k-chain', wallet: account.address }),
    )

    expect(errors.length).toBeGreaterThanOrEqual(3)
    for (const err of errors) {
      f.logger.error({ err }, 'engine error')
      const text = [
        String(err),
        JSON.stringify(err),
        inspect(err, { depth: 8 }),
        JSON.stringify(serializeError(err)),
      ].join('\n')
      expect(hits(text)).toEqual([])
    }
    expect(f.logLines.length).toBeGreaterThan(0)
    expect(hits(f.logLines.join('\n'))).toEqual([])
    f.db.pragma('wal_checkpoint(PASSIVE)')
    const files = readdirSync(f.dir)
    expect(files.some((n) => n.endsWith('-wal'))).toBe(true)
    for (const name of files) {
      expect({ name, hits: hits(readFileSync(join(f.dir, name)).toString('latin1')) }).toEqual({ name, hits: [] })
    }
    // The journal holds signed bytes and hashes (public), and really recorded these sends.
    const rows = f.db.prepare('SELECT COUNT(*) AS n FROM tx_intents WHERE raw_tx IS NOT NULL').get() as { n: number }
    expect(rows.n).toBeGreaterThanOrEqual(2)
  })
})
