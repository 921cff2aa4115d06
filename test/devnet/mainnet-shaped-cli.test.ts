// `bot devnet --mainnet-shaped --fund` serves chains 1 + 8453 with the funded address, and stops them on SIGINT.
import { describe, expect, it } from 'vitest'
import { parseEther } from 'viem'
import { anvilRpc } from '../../src/devnet/anvil.ts'
import { spawnBot, waitForOutput } from '../e2e/run-bot.ts'

const FUNDED = '0x000000000000000000000000000000000000dEaD'

describe('bot devnet --mainnet-shaped', () => {
  it('prints both RPC URLs, funds the address on both chains, and stops both chains on SIGINT', async () => {
    const child = spawnBot(['devnet', '--mainnet-shaped', '--fund', FUNDED])
    try {
      await waitForOutput(child, /Ctrl-C stops it/, 90_000)
      const out = child.output.stdout
      const urls = Object.fromEntries(
        [...out.matchAll(/^L[12] chain (\d+): (http:\/\/127\.0\.0\.1:\d+)$/gm)].map((m) => [m[1]!, m[2]!]),
      )
      expect(Object.keys(urls).sort()).toEqual(['1', '8453'])
      expect(out).toContain('1.uniswapV2Router02: 0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D')
      for (const [id, url] of Object.entries(urls)) {
        expect(BigInt(await anvilRpc<string>(url, 'eth_chainId'))).toBe(BigInt(id))
        expect(BigInt(await anvilRpc<string>(url, 'eth_getBalance', [FUNDED, 'latest']))).toBe(parseEther('100'))
      }
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      child.kill('SIGINT')
      expect(await exited).toBe(0)
      for (const url of Object.values(urls)) await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow()
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('refuses --fund without --mainnet-shaped: a usage error, exit 2', async () => {
    const child = spawnBot(['devnet', '--fund', FUNDED])
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
    expect(code).toBe(2)
    expect(child.output.stderr).toMatch(/--fund works only with --mainnet-shaped/)
  })
})
