// Turns per key: in the order asked, one at a time per key, independent keys at once, an abort passes the turn on.
import { describe, expect, it } from 'vitest'
import { createWalletTurns, walletTurnKey } from './wallet-turns.ts'

const tick = () => new Promise((r) => setImmediate(r))

describe('wallet turns', () => {
  it('gives one key one turn at a time, in the order asked, and other keys at once', async () => {
    const turns = createWalletTurns()
    const log: string[] = []
    const key = walletTurnKey('0xAbC', 1)
    expect(key).toBe('0xabc@1')
    const end1 = await turns.take(key)
    const second = turns.take(key).then((end) => (log.push('second'), end))
    const third = turns.take(key).then((end) => (log.push('third'), end))
    const other = await turns.take(walletTurnKey('0xabc', 10))
    log.push('other chain')
    await tick()
    expect(log).toEqual(['other chain'])
    end1()
    const end2 = await second
    await tick()
    expect(log).toEqual(['other chain', 'second'])
    end2()
    ;(await third)()
    other()
    expect(log).toEqual(['other chain', 'second', 'third'])
    expect(turns.busyKeys()).toEqual([])
  })

  it('rejects a waiter whose signal aborts and passes the turn to the next', async () => {
    const turns = createWalletTurns()
    const end1 = await turns.take('w@1')
    const ac = new AbortController()
    const aborted = turns.take('w@1', ac.signal)
    let thirdHas = false
    const third = turns.take('w@1').then((end) => ((thirdHas = true), end))
    ac.abort(new Error('run cancelled'))
    await expect(aborted).rejects.toThrow('run cancelled')
    await tick()
    expect(thirdHas).toBe(false)
    end1()
    ;(await third)()
    expect(thirdHas).toBe(true)
    expect(turns.busyKeys()).toEqual([])
    await expect(turns.take('w@1', AbortSignal.abort(new Error('already')))).rejects.toThrow('already')
  })

  it('names a wallet-wide key when the chain is not known', () => {
    expect(walletTurnKey('0xDEF', null)).toBe('0xdef@any')
  })
})
