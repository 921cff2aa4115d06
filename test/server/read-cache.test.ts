// The worker's read cache: one load per key while fresh, dropped on any state change, never caches failures.
import { describe, expect, it } from 'vitest'
import { createReadCache } from '../../src/server/read-cache.ts'

describe('read cache', () => {
  it('shares one in-flight load, expires after its TTL and on a state change', async () => {
    let t = 0
    let loads = 0
    const cache = createReadCache(1_000, () => t)
    const load = async () => ++loads
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual([1, 1])
    t = 999
    expect(await cache.get('k', load)).toBe(1)
    t = 1_000
    expect(await cache.get('k', load)).toBe(2)
    cache.invalidate()
    expect(await cache.get('k', load)).toBe(3)
    expect(await cache.get('other', load)).toBe(4)
  })

  it('keeps change-independent answers (health, metrics) until their TTL, and never caches a failure', async () => {
    let loads = 0
    const cache = createReadCache(1_000, () => 0)
    const load = async () => ++loads
    expect(await cache.get('m', load, { ignoreChanges: true })).toBe(1)
    cache.invalidate()
    expect(await cache.get('m', load, { ignoreChanges: true })).toBe(1)
    await expect(cache.get('f', () => Promise.reject(new Error('down')))).rejects.toThrow('down')
    expect(await cache.get('f', load)).toBe(2)
  })

  it('stays bounded under many distinct keys', async () => {
    let t = 0
    const cache = createReadCache(1_000, () => t)
    for (let i = 0; i < 2_000; i++) await cache.get(`cursor=${i}`, async () => i)
    t = 1
    let loaded = false
    await cache.get('cursor=0', async () => {
      loaded = true
      return 0
    })
    expect(loaded).toBe(true)
  })
})
