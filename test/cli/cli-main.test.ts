// CLI framework: help for every command, exit codes, bad input starts nothing, JSON output, errors without stacks.
import { afterAll, describe, expect, it } from 'vitest'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Wallet } from 'ethers'
import { PassThrough } from 'node:stream'
import { COMMANDS, main } from '../../src/cli/main.ts'
import { createOutput, colorEnabled } from '../../src/cli/output.ts'
import { startProgress } from '../../src/cli/progress.ts'
import { renderTable } from '../../src/cli/table.ts'
import { capture, recordingServices, runMain, tempDir } from './helpers.ts'

const KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'
const tmp = tempDir()
afterAll(() => tmp.cleanup())
const cfg = tmp.file('ok.json', JSON.stringify({ store: { path: join(tmp.dir, 'state', 'bot.db') } }))
const STACK = /\n\s+at\s/

describe('help', () => {
  it('root help lists every command', async () => {
    const r = await runMain(['--help'])
    expect(r.code).toBe(0)
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name}`)
  })

  it.each(COMMANDS.map((c) => [c.name]))(
    '`bot %s --help` shows usage, options and examples, and starts nothing',
    async (name) => {
      const rec = recordingServices()
      const r = await runMain([name, '--help', '--config', '/nonexistent/config.json'], { createServices: rec.factory })
      expect(r.code).toBe(0)
      expect(r.stdout).toContain(`Usage: bot ${name}`)
      expect(r.stdout).toContain('Examples:')
      expect(r.stdout).toMatch(/\n {2}bot /)
      expect(r.stdout).toContain('--config <path>')
      expect(rec.created).toBe(0)
    },
  )
})

describe('bad input exits 2 and starts nothing', () => {
  it.each([
    [['jobs', '--bogus'], /Unknown option '--bogus'/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['explain'], /needs a job id/],
    [['explain', 'a', 'b'], /at most 1 argument/],
    [['history', '--limit', '0'], /--limit expects a whole number/],
    [['history', '--limit'], /--limit.*(ambiguous|argument missing)/i],
    [['status', '--log-level', 'loud'], /--log-level must be one of/],
    [['keystore', 'new', '--passphrase', 'hunter22'], /--passphrase is refused/],
    [['keystore', 'import', `--private-key=${KEY}`], /--private-key is refused/],
    [['run-task', KEY], /looks like a private key/],
    [['jobs', '--once'], /Unknown option '--once'/],
    [['run-task', 'a', '--args', '{nope'], /--args is not valid JSON/],
    [['add-task', '--id', 'x'], /needs --id and --type/],
    [['add-task', '--id', 'x', '--type', 'BAD TYPE', '--trigger', 'sometimes'], /2 problems/],
  ])('bot %j', async (argv, pattern) => {
    const rec = recordingServices()
    const r = await runMain([...argv, '--config', cfg], { createServices: rec.factory })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(pattern)
    expect(r.stderr).toMatch(/^error [A-Z_]+: /)
    expect(r.stderr).not.toMatch(STACK)
    expect(r.stderr + r.stdout).not.toContain(KEY.slice(2))
    expect(rec.calls).toEqual([])
    expect(rec.created).toBe(0)
  })

  it('a bad config exits 2 naming each bad field, before any service exists', async () => {
    const bad = tmp.file(
      'bad.yaml',
      'jobs:\n  - id: a\n    taskType: t\n    trigger: sometimes\nscheduler: { maxConcurrentJobs: 0 }\n',
    )
    const rec = recordingServices()
    const r = await runMain(['--once', '--config', bad], { createServices: rec.factory })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('jobs[0].trigger')
    expect(r.stderr).toContain('scheduler.maxConcurrentJobs')
    expect(rec.created).toBe(0)
    expect(existsSync(join(tmp.dir, 'state'))).toBe(false)
  })

  it('--json puts the error on stdout as one JSON document', async () => {
    const r = await runMain(['--once', '--json', '--config', join(tmp.dir, 'missing.json')])
    expect(r.code).toBe(2)
    const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string } }
    expect(doc).toMatchObject({ ok: false, error: { code: 'CONFIG_NOT_FOUND' } })
  })
})

describe('commands call the services', () => {
  it('--once runs the plan once, prints a table, takes and frees the state lock', async () => {
    const rec = recordingServices()
    const r = await runMain(['--once', '--config', cfg], { createServices: rec.factory })
    expect(r.code).toBe(0)
    expect(rec.calls.map((c) => c.op)).toEqual(['runOnce'])
    expect(rec.calls[0]?.args[0]).toMatchObject({ dryRun: false })
    expect(r.stdout).toMatch(/JOB\s+STATUS/)
    expect(existsSync(join(tmp.dir, 'state', 'bot.db.lock'))).toBe(true)
    expect(existsSync(join(tmp.dir, 'state', 'bot.db.lock.owner'))).toBe(false)
  })

  it('--once exits 1 when a job failed; --dry-run implies once and passes dryRun', async () => {
    const rec = recordingServices({
      runOnce: async (o) => ({
        ok: false,
        jobs: [{ jobId: 'a', status: 'failed', error: 'reverted: K' }],
        ...(o.dryRun ? { dryRunMode: { mode: 'simulation' as const, note: 'no fork' } } : {}),
      }),
    })
    expect((await runMain(['--once', '--config', cfg], { createServices: rec.factory })).code).toBe(1)
    const r = await runMain(['--dry-run', '--config', cfg], { createServices: rec.factory })
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('per-call simulation')
  })

  it('a service error prints one line with code and fix, no stack; debug adds the stack', async () => {
    const rec = recordingServices({
      status: async () => {
        throw new Error('boom at https://user:pw@rpc.example/key123')
      },
    })
    const r = await runMain(['status', '--config', cfg], { createServices: rec.factory })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error INTERNAL: boom/)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).not.toContain('pw@')
    expect(r.stderr).not.toContain('key123')
    const d = await runMain(['status', '--config', cfg, '--log-level', 'debug'], { createServices: rec.factory })
    expect(d.stderr).toMatch(STACK)
  })

  it.each([
    [['status'], 'status', []],
    [['jobs'], 'listJobs', []],
    [['history', '--job', 'a', '--limit', '5'], 'history', [{ jobId: 'a', limit: 5 }]],
    [['explain', 'a'], 'explain', ['a']],
    [['enable', 'a'], 'setJobState', ['a', 'enable']],
    [['disable', 'a'], 'setJobState', ['a', 'disable']],
    [['pause', 'a'], 'setJobState', ['a', 'pause']],
    [['resume', 'a'], 'setJobState', ['a', 'resume']],
    [['remove-task', 'a'], 'removeTask', ['a']],
  ])('bot %j calls %s', async (argv, op, args) => {
    const rec = recordingServices()
    const r = await runMain([...argv, '--config', cfg], { createServices: rec.factory })
    expect(r.code).toBe(0)
    expect(rec.calls[0]?.op).toBe(op)
    expect(rec.calls[0]?.args).toEqual(args)
    const j = await runMain([...argv, '--config', cfg, '--json'], { createServices: rec.factory })
    expect(() => JSON.parse(j.stdout)).not.toThrow()
  })

  it('run-task passes --args and waits for the outcome', async () => {
    const rec = recordingServices()
    const r = await runMain(['run-task', 'a', '--args', '{"amount":"0.1"}', '--config', cfg], {
      createServices: rec.factory,
    })
    expect(r.code).toBe(0)
    expect(rec.calls[0]?.args[1]).toMatchObject({ argsOverride: { amount: '0.1' } })
  })

  it('add-task validates the job and passes the parsed definition', async () => {
    const rec = recordingServices()
    const r = await runMain(
      [
        'add-task',
        '--id',
        'n',
        '--type',
        'protocol_call',
        '--trigger',
        '{"type":"cron","expression":"0 6 * * 1"}',
        '--depends-on',
        'a',
        '--depends-on',
        'b',
        '--priority',
        'high',
        '--config',
        cfg,
      ],
      { createServices: rec.factory },
    )
    expect(r.code).toBe(0)
    expect(rec.calls[0]?.args[0]).toMatchObject({
      id: 'n',
      dependencies: ['a', 'b'],
      priority: 'high',
      trigger: { type: 'cron', timezone: 'UTC' },
    })
  })

  it('load-preset validates the preset; --list needs no services call', async () => {
    const rec = recordingServices()
    const l = await runMain(['load-preset', '--list', '--json', '--config', cfg], { createServices: rec.factory })
    expect(JSON.parse(l.stdout)).toContain('devnet-demo')
    expect(rec.created).toBe(0)
    const r = await runMain(['load-preset', 'bridge-rotation', '--config', cfg], { createServices: rec.factory })
    expect(r.code).toBe(0)
    expect(rec.calls.map((c) => c.op)).toEqual(['loadPreset'])
    expect((rec.calls[0]?.args[1] as { jobs: unknown[] }).jobs.length).toBe(2)
    const u = await runMain(['load-preset', 'nope', '--config', cfg], { createServices: rec.factory })
    expect(u.code).toBe(2)
    expect(u.stderr).toContain('swap-and-lend')
  })
})

describe('keystore', () => {
  it('new: passphrase from BOT_KEYSTORE_PASSPHRASE, file 0600, decryptable, never overwritten', async () => {
    const out = join(tmp.dir, 'ks', 'new.json')
    const env = { BOT_KEYSTORE_PASSPHRASE: 'correct horse battery' }
    const r = await runMain(['keystore', 'new', '--out', out, '--json'], { env })
    expect(r.code).toBe(0)
    const { address } = JSON.parse(r.stdout) as { address: string }
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const w = await Wallet.fromEncryptedJson(readFileSync(out, 'utf8'), env.BOT_KEYSTORE_PASSPHRASE)
    expect(w.address).toBe(address)
    const again = await runMain(['keystore', 'new', '--out', out], { env })
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('KEYSTORE_EXISTS')
  })

  it('import: key from --key-env, never echoed', async () => {
    const out = join(tmp.dir, 'ks', 'imp.json')
    const r = await runMain(['keystore', 'import', '--key-env', 'IMPORT_ME', '--out', out], {
      env: { IMPORT_ME: KEY, BOT_KEYSTORE_PASSPHRASE: 'longenough!' },
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(new Wallet(KEY).address)
    expect(r.stdout + r.stderr + readFileSync(out, 'utf8')).not.toContain(KEY.slice(2))
  })

  it('on a terminal: key and passphrase are prompted without echo, the repeat must match', async () => {
    const run = async (answers: string[]) => {
      const stdin = Object.assign(new PassThrough(), { isTTY: true })
      let err = ''
      const stderr = {
        isTTY: false,
        write(s: string) {
          err += s
          if (/: $/.test(s)) setImmediate(() => stdin.write(`${answers.shift() ?? ''}\n`))
          return true
        },
      }
      const stdout = capture()
      const code = await main(['keystore', 'import', '--out', join(tmp.dir, 'ks', `tty-${answers.length}.json`)], {
        stdin,
        stderr,
        stdout,
        env: {},
        handleSignals: false,
      })
      return { code, err, out: stdout.text() }
    }
    const bad = await run([KEY, 'first-passphrase', 'other-passphrase'])
    expect(bad.code).toBe(2)
    expect(bad.err).toContain('the passphrases differ')
    const ok = await run([KEY.slice(2), 'same-passphrase', 'same-passphrase'])
    expect(ok.code).toBe(0)
    expect(ok.err).toContain('private key (hidden): ')
    expect(ok.err + ok.out).not.toContain(KEY.slice(2))
    expect(ok.err + ok.out).not.toContain('same-passphrase')
    expect(ok.out).toContain(new Wallet(KEY).address)
  })

  it('without a terminal and without the env var it refuses with exit 2', async () => {
    const r = await runMain(['keystore', 'new', '--out', join(tmp.dir, 'ks', 'x.json')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('BOT_KEYSTORE_PASSPHRASE')
  })
})

describe('output helpers', () => {
  it('colors only on a TTY, never with NO_COLOR, forced by FORCE_COLOR', () => {
    expect(colorEnabled({ write: () => true, isTTY: false }, {})).toBe(false)
    expect(colorEnabled({ write: () => true, isTTY: true }, {})).toBe(true)
    expect(colorEnabled({ write: () => true, isTTY: true }, { NO_COLOR: '1' })).toBe(false)
    expect(colorEnabled({ write: () => true, isTTY: false }, { FORCE_COLOR: '1' })).toBe(true)
    const tty = capture(true)
    createOutput({ stdout: tty, stderr: capture(), json: false, env: {}, debug: false }).table(
      [{ key: 'a', header: 'A' }],
      [{ a: 1 }],
    )
    expect(tty.text()).toContain('\u001b[1m')
    const plain = capture(false)
    createOutput({ stdout: plain, stderr: capture(), json: false, env: {}, debug: false }).table(
      [{ key: 'a', header: 'A' }],
      [{ a: 1 }],
    )
    expect(plain.text()).not.toContain('\u001b[')
  })

  it('tables align columns and cut long cells', () => {
    const t = renderTable(
      [
        { key: 'id', header: 'ID' },
        { key: 'note', header: 'NOTE', max: 10 },
      ],
      [
        { id: 'a', note: 'short' },
        { id: 'long-id', note: 'x'.repeat(30) },
      ],
    )
    const lines = t.split('\n')
    expect(lines[0]).toBe('ID       NOTE')
    expect(lines[3]).toBe(`long-id  ${'x'.repeat(9)}…`)
    expect(renderTable([{ key: 'id', header: 'ID' }], [])).toBe('(none)')
  })

  it('progress prints plain lines when not a TTY and a redrawn line on a TTY', () => {
    let plain = ''
    const p = startProgress(
      {
        write: (s) => {
          plain += s
        },
        interactive: false,
        color: false,
      },
      'starting',
    )
    p.update('step 2')
    p.succeed('ready')
    expect(plain).toBe('... starting\n... step 2\nok ready\n')
    let tty = ''
    const q = startProgress(
      {
        write: (s) => {
          tty += s
        },
        interactive: true,
        color: false,
      },
      'working',
    )
    q.fail('broken')
    expect(tty).toContain('\r\u001b[2K')
    expect(tty.endsWith('✖ broken\n')).toBe(true)
  })
})
