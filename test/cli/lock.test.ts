// Single-instance guard with real processes: a second `bot run` on the same state refuses; a SIGKILLed holder is taken over.
import { afterAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { acquireStateLock, LockHeldError } from '../../src/store/lock.ts'
import { tempDir } from './helpers.ts'

const ROOT = resolve(import.meta.dirname, '..', '..')
const FIXTURE = join(ROOT, 'test', 'cli', 'fixtures', 'run-bot.ts')
const BIN = join(ROOT, 'bin', 'bot.js')
// The children run in a temp dir, so tsx is given by absolute URL rather than resolved from their cwd.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const tmp = tempDir('bot-lock-')
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  tmp.cleanup()
})

const cfg = tmp.file('bot.json', JSON.stringify({ store: { path: 'state/bot.db' } }))
const owner = join(tmp.dir, 'state', 'bot.db.lock.owner')

interface Proc {
  child: ChildProcess
  out: () => string
  err: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, args, {
    cwd: tmp.dir,
    env: { PATH: process.env.PATH, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let out = ''
  let err = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('close', (code, signal) => res({ code, signal })),
  )
  return { child, out: () => out, err: () => err, exited }
}

const startFixture = () => start(['--import', TSX, FIXTURE, 'run', '--config', cfg])

async function until(cond: () => boolean, what: string, p: Proc, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline || p.child.exitCode !== null)
      throw new Error(`no ${what}; stderr: ${p.err().slice(0, 2000)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('state lock', () => {
  it('in one process: a second acquire fails with the holder named, release frees it', () => {
    const path = join(tmp.dir, 'inproc', 'x.db')
    const a = acquireStateLock(path)
    let err: unknown
    try {
      acquireStateLock(path)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(LockHeldError)
    expect((err as LockHeldError).message).toContain(`pid ${process.pid}`)
    expect((err as LockHeldError).code).toBe('STATE_LOCKED')
    a.release()
    a.release()
    const b = acquireStateLock(join(tmp.dir, 'inproc', '.', 'x.db'))
    b.release()
    expect(acquireStateLock(':memory:').path).toBe(':memory:')
  })

  it('two real processes: the second refuses (exit 2), SIGKILLed holder is taken over, SIGTERM stops cleanly', async () => {
    const a = startFixture()
    await until(() => a.out().includes('READY'), 'start of the first bot', a)
    expect(JSON.parse(readFileSync(owner, 'utf8')).pid).toBe(a.child.pid)

    // The real binary refuses before it starts anything.
    const b = start([BIN, 'run', '--config', cfg])
    const bExit = await b.exited
    expect(bExit.code, b.err()).toBe(2)
    expect(b.err()).toMatch(/^error STATE_LOCKED: another bot is already running on the state .*state\/bot\.db/)
    expect(b.err()).toContain(`pid ${a.child.pid}`)
    expect(b.err()).not.toMatch(/\n\s+at\s/)

    a.child.kill('SIGKILL')
    expect((await a.exited).signal).toBe('SIGKILL')
    expect(existsSync(owner)).toBe(true) // stale owner record left behind by the killed holder

    const c = startFixture()
    await until(() => c.out().includes('READY'), 'takeover after SIGKILL', c)
    expect(JSON.parse(readFileSync(owner, 'utf8')).pid).toBe(c.child.pid)

    c.child.kill('SIGTERM')
    const cExit = await c.exited
    expect(cExit.code).toBe(0)
    expect(c.out()).toContain('STOPPING')
    expect(c.err()).toContain('stopped cleanly')
    expect(existsSync(owner)).toBe(false)
  }, 240_000)
})
