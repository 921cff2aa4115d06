// Architecture guard: adapters never sign, send or touch the scheduler/store; every adapter folder is complete.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { builtinAdapters } from './index.ts'

const root = fileURLToPath(new URL('.', import.meta.url))
const FORBIDDEN = [
  /src\/scheduler/,
  /src\/store/,
  /src\/chain/,
  /privateKeyToAccount|mnemonicToAccount|createWalletClient/,
  /sendTransaction|sendRawTransaction|writeContract|signTransaction/,
]

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) return sources(p)
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : []
  })
}

describe('protocols boundaries', () => {
  it('no adapter source imports the scheduler, store or chain sender, or touches keys and sending', () => {
    const files = sources(root)
    expect(files.length).toBeGreaterThan(10)
    const offenders = files.flatMap((f) => {
      const text = readFileSync(f, 'utf8')
      return FORBIDDEN.filter((re) => re.test(text)).map((re) => `${f.slice(root.length)}: ${re}`)
    })
    expect(offenders).toEqual([])
  })

  it('each registered adapter has index.ts, abi.ts, README.md and <id>.test.ts in protocols/<id>/', () => {
    const missing = builtinAdapters.flatMap((a) =>
      ['index.ts', 'abi.ts', 'README.md', `${a.id}.test.ts`]
        .filter((f) => !existsSync(join(root, a.id, f)))
        .map((f) => `${a.id}/${f}`),
    )
    expect(missing).toEqual([])
    expect(new Set(builtinAdapters.map((a) => a.id)).size).toBe(builtinAdapters.length)
  })
})
