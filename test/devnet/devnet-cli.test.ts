// `npm run devnet` prints the RPC URLs and addresses, writes the file, and stops both chains cleanly on Ctrl-C.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('devnet CLI', () => {
  it('runs until SIGINT, then exits 0 with both anvils gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devnet-cli-'))
    const file = join(dir, 'addresses.json')
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/devnet-cli.ts', '--addresses', file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      let out = ''
      child.stderr.on('data', (b: Buffer) => {
        out += b.toString()
      })
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`CLI not ready in 45 s: ${out}`)), 45_000)
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString()
          if (out.includes('Ctrl-C to stop')) {
            clearTimeout(timer)
            resolve()
          }
        })
        child.once('exit', (code) => {
          clearTimeout(timer)
          reject(new Error(`CLI exited early (${code}): ${out}`))
        })
      })
      const urls = [...out.matchAll(/^L[12] {2}chain (\d+) {2}(http:\/\/127\.0\.0\.1:\d+)$/gm)].map((m) => m[2]!)
      expect(urls).toHaveLength(2)
      const written = JSON.parse(readFileSync(file, 'utf8')) as { l1: { rpcUrl: string; uniswapV2Router02: string } }
      expect(written.l1.rpcUrl).toBe(urls[0])
      expect(out).toContain(written.l1.uniswapV2Router02)
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      child.kill('SIGINT')
      expect(await exited).toBe(0)
      for (const url of urls) await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow()
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
