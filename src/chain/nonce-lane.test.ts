// A nonce lane on a real anvil and a real SQLite journal: nonce order, funds, chain id, re-sync, failures.
import { mkdtempSync, rmSync } from 'node:fs'
import { Writable } from 'node:stream'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keccak256, toHex, type Address, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { anvilRpc, startAnvil, type AnvilInstance } from '../devnet/anvil.ts'
import { createLogger } from '../logging/logger.ts'
import { openDatabase, type Db } from '../store/database.ts'
import { createIntentJournal } from '../store/sqlite-intent-journal.ts'
import { createChainClient } from './clients.ts'
import { applyBroadcast } from './confirm.ts'
import { ChainIdMismatchError, InsufficientFundsError } from './errors.ts'
import type { IntentJournal } from './intent-types.ts'
import { createNonceLane, type LaneRequest, type NonceLaneDeps, type SendStep } from './nonce-lane.ts'
import { createRpcSteps, type RpcSteps } from './rpc-steps.ts'

const CHAIN_ID = 31337
const GWEI = 1_000_000_000n
const SINK: Address = '0x000000000000000000000000000000000000dEaD'
let anvil: AnvilInstance
let dir: string
let db: Db
let journal: IntentJournal
let rpc: RpcSteps

beforeAll(async () => {
  // No automine: balances stay put while intents are open, so the funds arithmetic is exact.
  anvil = await startAnvil({ chainId: CHAIN_ID, automine: false })
  dir = mkdtempSync(join(tmpdir(), 'nonce-lane-'))
  db = openDatabase({ path: join(dir, 'state.db') })
  journal = createIntentJournal(db)
  rpc = createRpcSteps(CHAIN_ID, createChainClient({ chainId: CHAIN_ID, rpcUrls: [anvil.rpcUrl] }))
})
afterAll(async () => {
  db?.close()
  await anvil?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** A fresh wallet with `eth` ether, so tests do not share nonces or balances. */
async function wallet(wei: bigint): Promise<PrivateKeyAccount> {
  const account = privateKeyToAccount(generatePrivateKey())
  await anvilRpc(anvil.rpcUrl, 'anvil_setBalance', [account.address, toHex(wei)])
  return account
}

function lane(account: PrivateKeyAccount, over: Partial<NonceLaneDeps> = {}) {
  const steps: { step: SendStep; runId: string; nonce: number }[] = []
  const logs: Record<string, unknown>[] = []
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(JSON.parse(String(chunk)) as Record<string, unknown>)
      cb()
    },
  })
  const l = createNonceLane({
    chainId: CHAIN_ID,
    account,
    rpc,
    journal,
    logger: createLogger({ level: 'info', destination }),
    applyBroadcast: (row, outcome) => applyBroadcast(journal, row, outcome),
    onStep: (step, info) => steps.push({ step, ...info }),
    ...over,
  })
  return { lane: l, steps, logs }
}

let runs = 0
function request(over: Partial<LaneRequest> = {}): LaneRequest {
  const data: Hex = '0x'
  return {
    runId: `run-${++runs}`,
    callIndex: 0,
    to: SINK,
    value: 1000n,
    data,
    dataHash: keccak256(data),
    tokenAddress: null,
    tokenAmount: null,
    gasLimit: 21_000n,
    maxFeePerGas: 10n * GWEI,
    maxPriorityFeePerGas: GWEI,
    validUntil: Date.now() + 60_000,
    ...over,
  }
}
const costOf = (r: LaneRequest) => r.value + r.gasLimit * r.maxFeePerGas

describe('nonce lane', () => {
  it('gives concurrent requests consecutive nonces, journals exactly what was signed, and broadcasts it', async () => {
    const account = await wallet(10n ** 18n)
    const { lane: l, steps } = lane(account)
    expect(l.address).toBe(account.address)
    expect(l.expectedNonce()).toBeUndefined()
    const reqs = [0, 1, 2, 3].map((i) => request({ callIndex: i, value: BigInt(i + 1) }))
    const rows = await Promise.all(reqs.map((r) => l.submit(r)))
    expect(rows.map((r) => r.nonce)).toEqual([0, 1, 2, 3])
    expect(l.expectedNonce()).toBe(4)
    for (const [i, row] of rows.entries()) {
      const r = reqs[i]!
      expect(row).toMatchObject({
        runId: r.runId,
        callIndex: i,
        chainId: CHAIN_ID,
        from: account.address.toLowerCase(),
        to: SINK.toLowerCase(),
        value: r.value,
        data: '0x',
        dataHash: r.dataHash,
        kind: 'normal',
        gasLimit: 21_000n,
        maxFeePerGas: 10n * GWEI,
        maxPriorityFeePerGas: GWEI,
        validUntil: r.validUntil,
        status: 'broadcast',
      })
      expect(row.hash).toBe(keccak256(row.rawTx as Hex))
      const tx = await rpc.client.getTransaction({ hash: row.hash as Hex })
      expect({ nonce: tx.nonce, value: tx.value, gas: tx.gas, to: tx.to }).toEqual({
        nonce: i,
        value: r.value,
        gas: 21_000n,
        to: SINK.toLowerCase(),
      })
      expect(tx.maxFeePerGas).toBe(10n * GWEI)
      expect(tx.maxPriorityFeePerGas).toBe(GWEI)
    }
    expect(await rpc.nonce(account.address, 'pending')).toBe(4)
    for (const [i, r] of reqs.entries()) {
      const mine = steps.filter((s) => s.runId === r.runId).map((s) => [s.step, s.nonce])
      expect(mine).toEqual([
        ['signed', i],
        ['journaled', i],
        ['broadcast', i],
      ])
    }
  })

  it('runs without a step hook', async () => {
    const account = await wallet(10n ** 18n)
    const { lane: l } = lane(account, { onStep: undefined })
    const rows = await Promise.all([request(), request()].map((r) => l.submit(r)))
    expect(rows.map((r) => [r.nonce, r.status])).toEqual([
      [0, 'broadcast'],
      [1, 'broadcast'],
    ])
  })

  it('refuses a request the free balance cannot pay, before a nonce is taken, counting what the batch took', async () => {
    const one = request()
    const c = costOf(one)
    const account = await wallet(2n * c + c / 2n)
    const { lane: l } = lane(account)
    // The first request runs alone; the next two arrive meanwhile and share one batch.
    const [a, b, d] = await Promise.allSettled([l.submit(one), l.submit(request()), l.submit(request())])
    expect([a.status, b.status, d.status]).toEqual(['fulfilled', 'fulfilled', 'rejected'])
    const err = (d as PromiseRejectedResult).reason as InsufficientFundsError
    expect(err).toBeInstanceOf(InsufficientFundsError)
    expect(err.details).toEqual({ from: account.address, needed: c.toString(), available: (c / 2n).toString() })
    // Open, unmined intents keep their funds reserved in later batches too.
    const again = await l.submit(request()).catch((e: unknown) => e)
    expect((again as InsufficientFundsError).details).toMatchObject({ available: (c / 2n).toString() })
    const cheap = await l.submit(request({ value: 0n, maxFeePerGas: 2n * GWEI, maxPriorityFeePerGas: GWEI }))
    expect(cheap.nonce).toBe(2)
  })

  it('a request exactly as large as the balance is paid', async () => {
    const r = request()
    const account = await wallet(costOf(r))
    expect((await lane(account).lane.submit(r)).nonce).toBe(0)
  })

  it('refuses to sign when the node reports another chain id, and uses no nonce', async () => {
    const account = await wallet(10n ** 18n)
    const other = createRpcSteps(CHAIN_ID + 1, rpc.client)
    const { lane: l } = lane(account, { chainId: CHAIN_ID + 1, rpc: other })
    const err = await l.submit(request()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ChainIdMismatchError)
    expect(journal.maxOpenNonce(CHAIN_ID + 1, account.address)).toBe(-1)
    expect(l.expectedNonce()).toBeUndefined()
  })

  it('adopts a nonce used outside the lane, and never reuses an open journaled nonce', async () => {
    const account = await wallet(10n ** 18n)
    const { lane: l, logs } = lane(account)
    expect((await l.submit(request())).nonce).toBe(0)
    expect(logs).toEqual([])
    // Another signer with the same key sends nonce 1 behind the lane's back.
    const outside = await account.signTransaction({
      chainId: CHAIN_ID,
      type: 'eip1559',
      nonce: 1,
      to: SINK,
      value: 1n,
      gas: 21_000n,
      maxFeePerGas: 10n * GWEI,
      maxPriorityFeePerGas: GWEI,
    })
    await anvilRpc(anvil.rpcUrl, 'eth_sendRawTransaction', [outside])
    expect((await l.submit(request())).nonce).toBe(2)
    // The operator is told: the lane expected nonce 1 and the chain already shows 2.
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatchObject({
      level: 'warn',
      chainId: CHAIN_ID,
      from: account.address,
      expected: 1,
      pendingNonce: 2,
    })
    expect((await l.submit(request())).nonce).toBe(3)
    expect(logs).toHaveLength(1)
    // An open intent journaled at a nonce ahead of the chain (signed, not yet broadcast) keeps its nonce.
    const ahead = request()
    journal.recordBatch([
      {
        runId: ahead.runId,
        callIndex: 0,
        chainId: CHAIN_ID,
        from: account.address,
        nonce: 7,
        to: SINK,
        value: 0n,
        data: '0x',
        dataHash: ahead.dataHash,
        kind: 'normal',
        rawTx: '0x01',
        hash: keccak256('0x07'),
        validUntil: ahead.validUntil,
        gasLimit: 21_000n,
        maxFeePerGas: 1n,
        maxPriorityFeePerGas: 1n,
      },
    ])
    expect((await lane(account).lane.submit(request())).nonce).toBe(8)
  })

  it('a request that cannot be signed frees its nonce and its funds for the next one in the batch', async () => {
    const c = costOf(request())
    const account = await wallet(2n * c)
    const { lane: l } = lane(account)
    // The first request runs alone; the unsignable one and the good one share the next batch.
    const [first, bad, good] = await Promise.allSettled([
      l.submit(request()),
      l.submit(request({ to: 'not-an-address' as Address })),
      l.submit(request()),
    ])
    expect([first.status, bad.status]).toEqual(['fulfilled', 'rejected'])
    expect(good.status === 'fulfilled' && good.value.nonce).toBe(1)
    expect(l.expectedNonce()).toBe(2)
  })

  it('a journal write that fails rejects the batch and leaves its nonces free', async () => {
    const account = await wallet(10n ** 18n)
    const broken: IntentJournal = {
      ...journal,
      record: () => Promise.reject(new Error('disk I/O error')),
    }
    const { lane: l } = lane(account, { journal: broken })
    await expect(l.submit(request())).rejects.toThrow('disk I/O error')
    expect(l.expectedNonce()).toBeUndefined()
    expect(journal.maxOpenNonce(CHAIN_ID, account.address)).toBe(-1)
    expect((await lane(account).lane.submit(request())).nonce).toBe(0)
  })

  it('a broadcast the node rejects is recorded as dropped, and the caller sees the recorded row', async () => {
    const account = await wallet(10n ** 18n)
    const row = await lane(account).lane.submit(request({ gasLimit: 20_000n }))
    expect(row.status).toBe('dropped')
    expect(journal.get(row.id)?.status).toBe('dropped')
  })

  it('with a batch size of one, requests still get consecutive nonces', async () => {
    const account = await wallet(10n ** 18n)
    const { lane: l } = lane(account, { maxBatch: 1 })
    const rows = await Promise.all([request(), request(), request()].map((r) => l.submit(r)))
    expect(rows.map((r) => r.nonce)).toEqual([0, 1, 2])
  })
})
