// The engine's per-chain settings: what an operator who sets nothing gets, and how the defaults follow pollMs.
import { describe, expect, it } from 'vitest'
import { createPublicClient, http, parseGwei } from 'viem'
import { createEngineChains } from './engine-chains.ts'
import { TxConfigError } from './tx-errors.ts'

// Building the chains makes no RPC call: the client only needs a URL shape.
const client = createPublicClient({ transport: http('http://127.0.0.1:9') })
const fees = { maxFeePerGas: parseGwei('50') }

describe('engine chains', () => {
  it('fills every confirmation setting the config leaves out', () => {
    const chainOf = createEngineChains([{ chainId: 10, client, fees }])
    expect(chainOf(10).settings).toEqual({
      confirmations: 1,
      pollMs: 250,
      rebroadcastMs: 5_000,
      stuckAfterMs: 60_000,
      maxBumps: 3,
      fees,
      foreignNonceGraceMs: 2_000,
    })
  })

  it('keeps what the config sets; the foreign-nonce grace is eight polls, at least 2 s', () => {
    const chainOf = createEngineChains([
      { chainId: 1, client, fees, pollMs: 500, confirmations: 3, rebroadcastMs: 7, stuckAfterMs: 9, maxBumps: 0 },
      { chainId: 2, client, fees, pollMs: 100 },
      { chainId: 3, client, fees, pollMs: 100, foreignNonceGraceMs: 50 },
    ])
    expect(chainOf(1).settings).toMatchObject({
      pollMs: 500,
      confirmations: 3,
      rebroadcastMs: 7,
      stuckAfterMs: 9,
      maxBumps: 0,
      foreignNonceGraceMs: 4_000,
    })
    expect(chainOf(2).settings.foreignNonceGraceMs).toBe(2_000)
    expect(chainOf(3).settings.foreignNonceGraceMs).toBe(50)
    expect(chainOf(1).cfg.chainId).toBe(1)
  })

  it('refuses a chain id it was not given, with a typed error', () => {
    const chainOf = createEngineChains([{ chainId: 10, client, fees }])
    expect(() => chainOf(11)).toThrow(TxConfigError)
    expect(() => chainOf(11)).toThrow(/chain 11 is not configured/)
  })
})
