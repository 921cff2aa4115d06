// Fee estimation on a real anvil (feeHistory, base-fee spikes) and the exact 1.125 bump rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { privateKeyToAccount } from 'viem/accounts'
import type { Hex, PublicClient } from 'viem'
import { anvilRpc, startAnvil, ANVIL_TEST_KEYS, type AnvilInstance } from '../devnet/anvil.ts'
import { createChainClient } from './clients.ts'
import { FeeError } from './errors.ts'
import { applyFeeCap, bumpFees, decimalRatio, estimateFees, mulCeil } from './fees.ts'

const GWEI = 1_000_000_000n
const account = privateKeyToAccount(ANVIL_TEST_KEYS[3])
let anvil: AnvilInstance
let client: PublicClient

function thrown(f: () => unknown): FeeError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(FeeError)
    return e as FeeError
  }
  throw new Error('expected a FeeError')
}

async function transfer(
  nonce: number,
  fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
  value = 1n,
): Promise<Hex> {
  const raw = await account.signTransaction({
    chainId: 31337,
    type: 'eip1559',
    to: account.address,
    value,
    gas: 21_000n,
    nonce,
    ...fees,
  })
  return client.sendRawTransaction({ serializedTransaction: raw })
}

beforeAll(async () => {
  anvil = await startAnvil()
  client = createChainClient({ chainId: 31337, rpcUrls: [anvil.rpcUrl] })
})
afterAll(async () => {
  await anvil?.stop()
})

describe('bumpFees: both fields >= old x 1.125, exact and minimal', () => {
  const samples = [0n, 1n, 2n, 7n, 8n, 999n, 1_000_000_007n, 30n * GWEI + 1n, 2n ** 200n + 3n]
  it('raises each field to exactly ceil(old x 9/8) (or old + 1 when that is not higher)', () => {
    for (const tip of samples) {
      for (const extra of [0n, 1n, 5n * GWEI]) {
        const old = { maxFeePerGas: tip + extra, maxPriorityFeePerGas: tip }
        const b = bumpFees(old)
        for (const [o, n] of [
          [old.maxFeePerGas, b.maxFeePerGas],
          [old.maxPriorityFeePerGas, b.maxPriorityFeePerGas],
        ] as const) {
          expect(n * 1000n >= o * 1125n).toBe(true)
          expect(n > o).toBe(true)
          // minimal: one wei less would break the rule (unless the +1 floor applied)
          if (n !== o + 1n) expect((n - 1n) * 1000n < o * 1125n).toBe(true)
        }
        expect(b.maxPriorityFeePerGas <= b.maxFeePerGas).toBe(true)
      }
    }
  })

  it('known values', () => {
    expect(bumpFees({ maxFeePerGas: 8n * GWEI, maxPriorityFeePerGas: GWEI })).toEqual({
      maxFeePerGas: 9n * GWEI,
      maxPriorityFeePerGas: 1_125_000_000n,
    })
    expect(bumpFees({ maxFeePerGas: 7n, maxPriorityFeePerGas: 1n })).toEqual({
      maxFeePerGas: 8n,
      maxPriorityFeePerGas: 2n,
    })
    expect(bumpFees({ maxFeePerGas: 0n, maxPriorityFeePerGas: 0n })).toEqual({
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
    })
    expect(bumpFees({ maxFeePerGas: 100n, maxPriorityFeePerGas: 10n }, 1.1)).toEqual({
      maxFeePerGas: 110n,
      maxPriorityFeePerGas: 11n,
    })
  })

  it('refuses to exceed the cap and refuses factors under 1.1 or bad old fees', () => {
    const capped = thrown(() =>
      bumpFees({ maxFeePerGas: 100n * GWEI, maxPriorityFeePerGas: 2n * GWEI }, 1.125, 110n * GWEI),
    )
    expect(capped.code).toBe('FEE_BUMP_ABOVE_CAP')
    expect(capped.retryable).toBe(false)
    expect(capped.message).toContain('112500000000')
    expect(
      bumpFees({ maxFeePerGas: 100n * GWEI, maxPriorityFeePerGas: 2n * GWEI }, 1.125, 112_500_000_000n).maxFeePerGas,
    ).toBe(112_500_000_000n)
    expect(thrown(() => bumpFees({ maxFeePerGas: 10n, maxPriorityFeePerGas: 1n }, 1.05)).code).toBe('FEE_INVALID')
    expect(thrown(() => bumpFees({ maxFeePerGas: 1n, maxPriorityFeePerGas: 2n })).code).toBe('FEE_INVALID')
  })

  it('mulCeil and decimalRatio use the exact decimal fraction', () => {
    expect(decimalRatio(1.125)).toEqual({ num: 1125n, den: 1000n })
    expect(mulCeil(10n ** 30n + 1n, 1.125)).toBe(1_125_000_000_000_000_000_000_000_000_002n)
    expect(() => decimalRatio(1e-9)).toThrow(FeeError)
  })
})

describe('estimateFees on anvil', () => {
  it('takes the next base fee from feeHistory and the median tip of non-empty blocks', async () => {
    let nonce = await client.getTransactionCount({ address: account.address })
    for (const tip of [2n, 3n, 3n, 9n]) {
      const hash = await transfer(nonce++, { maxFeePerGas: 50n * GWEI, maxPriorityFeePerGas: tip * GWEI })
      await client.waitForTransactionReceipt({ hash })
    }
    await anvilRpc(anvil.rpcUrl, 'evm_mine') // an empty block: its zero reward must not drag the tip down
    const next = (await client.getFeeHistory({ blockCount: 1, blockTag: 'latest', rewardPercentiles: [50] }))
      .baseFeePerGas[1]!
    const fees = await estimateFees(client, { blocks: 5 })
    expect(fees.baseFeePerGas).toBe(next)
    expect(fees.maxPriorityFeePerGas).toBe(3n * GWEI)
    expect(fees.maxFeePerGas).toBe(2n * next + 3n * GWEI)
  })

  it('during a base-fee spike above the cap: retryable FEE_ABOVE_CAP; under the cap: fees are capped', async () => {
    const spike = 300n * GWEI
    await anvilRpc(anvil.rpcUrl, 'anvil_setNextBlockBaseFeePerGas', [`0x${spike.toString(16)}`])
    const err = await estimateFees(client, { maxFeePerGasCap: 200n * GWEI }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(FeeError)
    expect((err as FeeError).code).toBe('FEE_ABOVE_CAP')
    expect((err as FeeError).retryable).toBe(true)
    const capped = await estimateFees(client, { maxFeePerGasCap: 400n * GWEI })
    expect(capped.baseFeePerGas).toBe(spike)
    expect(capped.maxFeePerGas).toBe(400n * GWEI)
    expect(capped.maxPriorityFeePerGas <= capped.maxFeePerGas - spike).toBe(true)
    expect(applyFeeCap({ baseFeePerGas: 10n, maxFeePerGas: 30n, maxPriorityFeePerGas: 15n }, 20n)).toEqual({
      baseFeePerGas: 10n,
      maxFeePerGas: 20n,
      maxPriorityFeePerGas: 10n,
    })
    await anvilRpc(anvil.rpcUrl, 'anvil_setNextBlockBaseFeePerGas', [`0x${GWEI.toString(16)}`])
    await anvilRpc(anvil.rpcUrl, 'evm_mine')
  })

  it('a bumped replacement is accepted at the same nonce and only one tx is mined for it', async () => {
    await anvilRpc(anvil.rpcUrl, 'evm_setAutomine', [false])
    try {
      const nonce = await client.getTransactionCount({ address: account.address })
      const first = await estimateFees(client)
      const h1 = await transfer(nonce, first, 1n)
      const bumped = bumpFees(first)
      const h2 = await transfer(nonce, bumped, 1n)
      expect(h2).not.toBe(h1)
      await anvilRpc(anvil.rpcUrl, 'evm_mine')
      const r2 = await client.getTransactionReceipt({ hash: h2 })
      expect(r2.status).toBe('success')
      expect(r2.effectiveGasPrice <= bumped.maxFeePerGas).toBe(true)
      await expect(client.getTransactionReceipt({ hash: h1 })).rejects.toThrow()
      expect(await client.getTransactionCount({ address: account.address })).toBe(nonce + 1)
    } finally {
      await anvilRpc(anvil.rpcUrl, 'evm_setAutomine', [true])
    }
  })
})
