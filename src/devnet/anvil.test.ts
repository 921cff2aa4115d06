// The anvil launcher starts a real node on a free port, answers RPC, and leaves no process behind.
import { describe, expect, it } from 'vitest'
import { anvilRpc, startAnvil } from './anvil.ts'

describe('startAnvil', () => {
  it('starts on a free port with the requested chain id and stops for good', async () => {
    const a = await startAnvil({ chainId: 4242 })
    const b = await startAnvil({ chainId: 4243 })
    try {
      expect(a.port).not.toBe(b.port)
      expect(await anvilRpc<string>(a.rpcUrl, 'eth_chainId')).toBe('0x1092')
      expect(await anvilRpc<string>(b.rpcUrl, 'eth_chainId')).toBe('0x1093')
    } finally {
      await a.stop()
      await b.stop()
    }
    expect(a.process.exitCode !== null || a.process.signalCode !== null).toBe(true)
    await expect(anvilRpc(a.rpcUrl, 'eth_chainId')).rejects.toThrow()
  })
})
