// Config fuzz: thousands of random and mutated configs give only typed errors and exit 2, never a crash or a stack.
import { afterAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { stringify } from 'yaml'
import { ConfigError } from '../../src/config/errors.ts'
import type { BotConfig } from '../../src/config/schema.ts'
import { DEFAULT_CONFIG_PATH, listPresets, loadConfig, parseConfig, readPresetRaw } from '../../src/config/load.ts'
import { CANARY_ENV_VALUE, CANARY_KEY, FUZZ_ENV, createRng, mutate, mutateText, randomValue } from './fuzz-gen.ts'
import { recordingServices, runMain, tempDir } from './helpers.ts'
import { checkPlan, configuredBook } from '../../src/bot/plan-check.ts'

const SEED = Number(process.env.FUZZ_SEED ?? 20261122)
const IN_PROCESS = Number(process.env.FUZZ_CASES ?? 2000)
const VIA_MAIN = Number(process.env.FUZZ_MAIN_CASES ?? 400)
const VIA_BIN = Number(process.env.FUZZ_BIN_CASES ?? 24)
const ADAPTER_CASES = Number(process.env.FUZZ_ADAPTER_CASES ?? 300)
const STACK = /\n\s+at\s|\bat .*\.ts:\d+/
const BIN = resolve(DEFAULT_CONFIG_PATH, '..', '..', 'bin', 'bot.js')
const tmp = tempDir('bot-fuzz-')
afterAll(() => tmp.cleanup())

const bases: unknown[] = [
  {},
  {
    chains: [{ id: 1, name: 'm', rpcUrls: ['${FUZZ_URL}'] }],
    wallets: [{ name: 'w', privateKeyEnv: 'K' }],
    devnet: { embedded: false },
  },
  ...listPresets().map((p) => readPresetRaw(p)),
  { preset: 'devnet-demo', scheduler: { maxConcurrentJobs: 2 } },
]

function assertClean(err: unknown, label: string): void {
  if (!(err instanceof ConfigError)) throw new Error(`${label}: untyped error ${String(err)}`)
  expect(err.issues.length, label).toBeGreaterThan(0)
  for (const i of err.issues) {
    expect(typeof i.path === 'string' && i.path.length > 0, label).toBe(true)
    expect(typeof i.message === 'string' && i.message.length > 0, label).toBe(true)
  }
  const all = `${err.message}\n${JSON.stringify(err.issues)}\n${err.hint ?? ''}`
  expect(all.includes(CANARY_KEY.slice(2, 30)), `${label}: key canary leaked`).toBe(false)
  expect(all.includes(CANARY_ENV_VALUE), `${label}: env canary leaked`).toBe(false)
}

/** A mutated or random config: 1 in 6 fully random, the rest mutations of real configs. */
function caseFor(r: ReturnType<typeof createRng>): unknown {
  return r.chance(1 / 6) ? randomValue(r) : mutate(r.pick(bases), r)
}

describe('config fuzz', () => {
  it(`${IN_PROCESS} random and mutated configs through parseConfig: valid or a ConfigError, nothing else`, async () => {
    const r = createRng(SEED)
    let valid = 0
    for (let i = 0; i < IN_PROCESS; i++) {
      const raw = caseFor(r)
      try {
        await parseConfig(raw, 'fuzz', { env: FUZZ_ENV })
        valid++
      } catch (err) {
        assertClean(err, `seed ${SEED} case ${i}`)
      }
    }
    // The mutations must mostly break configs, yet some must stay valid (or the fuzzer is not exercising both paths).
    expect(valid).toBeGreaterThan(0)
    expect(valid).toBeLessThan(IN_PROCESS / 2)
  })

  it(`${VIA_MAIN} config files (JSON, YAML, mangled text) through main(['--once', '--config', file])`, async () => {
    const r = createRng(SEED + 1)
    const codes = { 0: 0, 2: 0 } as Record<number, number>
    for (let i = 0; i < VIA_MAIN; i++) {
      const raw = caseFor(r)
      const kind = r.int(3)
      const text =
        kind === 0
          ? JSON.stringify(raw)
          : kind === 1
            ? stringify(raw)
            : mutateText(JSON.stringify(r.pick(bases), null, 1), r)
      const file = join(tmp.dir, `case-${i}.${kind === 1 ? 'yaml' : 'json'}`)
      writeFileSync(file, text)
      let loaded: unknown = await loadConfig(file, { env: FUZZ_ENV }).then(
        (c) => c,
        (e: unknown) => e,
      )
      if (!(loaded instanceof Error)) {
        // `bot run` also checks the plan (adapter params, book, caps, allowlists): a config with plan problems is bad input.
        const plan = await checkPlan(loaded as BotConfig, configuredBook(loaded as BotConfig))
        if (plan.issues.length > 0) loaded = new ConfigError('CONFIG_INVALID', file, plan.issues)
      }
      if (!(loaded instanceof Error)) {
        const p = (loaded as BotConfig).store.path
        // Keep a valid case from taking a lock outside the temp dir.
        if (isAbsolute(p) && relative(tmp.dir, p).startsWith('..')) continue
      }
      const rec = recordingServices()
      const res = await runMain(['--once', '--config', file], {
        env: FUZZ_ENV,
        cwd: tmp.dir,
        createServices: rec.factory,
      })
      const label = `seed ${SEED + 1} case ${i}`
      codes[res.code] = (codes[res.code] ?? 0) + 1
      expect(res.stderr, label).not.toMatch(STACK)
      expect(res.stderr.includes(CANARY_ENV_VALUE) || res.stderr.includes(CANARY_KEY.slice(2, 30)), label).toBe(false)
      if (loaded instanceof Error) {
        assertClean(loaded, label)
        expect(res.code, label).toBe(2)
        expect(res.stderr, label).toMatch(/^error CONFIG_[A-Z_]+: /)
        expect(rec.created, `${label}: bad input must start nothing`).toBe(0)
      } else {
        expect(res.code, `${label}: ${res.stderr}`).toBe(0)
        expect(
          rec.calls.map((c) => c.op),
          label,
        ).toEqual(['runOnce'])
      }
    }
    expect(codes[2]).toBeGreaterThan(VIA_MAIN / 2)
  })

  it(`${ADAPTER_CASES} mutated adapter params on a real-chain plan: a report with paths, never a throw, never an RPC`, async () => {
    const r = createRng(SEED + 3)
    const base = {
      chains: [
        { id: 1, name: 'eth', rpcUrls: ['http://127.0.0.1:9'], allowlist: [], caps: { dailyTokens: { USDC: '5' } } },
        { id: 8453, name: 'base', rpcUrls: ['http://127.0.0.1:9'] },
      ],
      wallets: [{ name: 'w', privateKeyEnv: 'K' }],
      protocols: {
        'uniswap-v2': {},
        'uniswap-v3': {},
        weth: {},
        'op-bridge': {},
        across: {},
        erc4626: {},
        'aave-v3': {},
        'native-transfer': {},
      },
      jobs: [
        {
          id: 'a',
          taskType: 'protocol_call',
          args: {
            adapter: 'uniswap-v2',
            wallet: 'w',
            params: { chainId: 1, tokenIn: 'USDC', tokenOut: 'WETH', amountIn: '5', slippageBps: 30 },
          },
        },
        {
          id: 'b',
          taskType: 'protocol_call',
          args: { adapter: 'weth', wallet: 'w', params: { chainId: 1, action: 'wrap', amount: '0.1' } },
        },
        {
          id: 'c',
          taskType: 'protocol_call',
          args: {
            adapter: 'op-bridge',
            wallet: 'w',
            params: { fromChainId: 1, toChainId: 8453, token: 'USDC', amount: '1' },
          },
        },
        {
          id: 'd',
          taskType: 'protocol_call',
          args: {
            adapter: 'aave-v3',
            wallet: 'w',
            params: { chainId: 8453, action: 'supply', asset: 'USDC', amount: '2.5' },
          },
        },
        {
          id: 'e',
          taskType: 'protocol_call',
          args: {
            adapter: 'erc4626',
            wallet: 'w',
            params: {
              chainId: 1,
              vault: '0x1111111111111111111111111111111111111111',
              action: 'redeem',
              amount: 'max',
            },
          },
        },
        {
          id: 'f',
          taskType: 'protocol_call',
          args: {
            adapter: 'uniswap-v3',
            wallet: 'w',
            params: { chainId: 8453, tokenIn: 'WETH', tokenOut: 'USDC', amountIn: '0.1', slippageBps: 30 },
          },
        },
        {
          id: 'g',
          taskType: 'protocol_call',
          args: {
            adapter: 'across',
            wallet: 'w',
            params: { fromChainId: 1, toChainId: 8453, token: 'USDC', amount: '10' },
          },
        },
      ],
      devnet: { embedded: false },
    }
    const amounts = [
      '0.2',
      '1e3',
      '-1',
      '0',
      '1.0000001',
      '7 wei',
      'max',
      '',
      ' 3 ',
      '１',
      '99999999999999999999999999999',
      0.5,
      3,
      null,
      { raw: '5' },
      { raw: 5 },
      [],
    ]
    let flagged = 0
    for (let i = 0; i < ADAPTER_CASES; i++) {
      const raw = structuredClone(base) as typeof base
      const job = r.pick(raw.jobs)
      const params = job.args.params as Record<string, unknown>
      const key = r.pick([...Object.keys(params), 'amount', 'amountIn', 'token', 'chainId', 'extra'])
      params[key] = r.chance(0.5) ? r.pick(amounts) : randomValue(r)
      const label = `seed ${SEED + 3} case ${i}: ${job.args.adapter}.${key}=${JSON.stringify(params[key])}`
      const config = await parseConfig(raw, 'fuzz', { env: FUZZ_ENV }).then(
        (c) => c,
        () => undefined,
      )
      if (!config) continue
      const plan = await checkPlan(config, configuredBook(config))
      for (const issue of plan.issues) {
        expect(issue.path, label).toMatch(/^(jobs\[\d+\]\.args|chains\[\d+\])/)
        expect(issue.message.length, label).toBeGreaterThan(0)
      }
      if (plan.issues.length > 0) flagged++
    }
    // Every job calls contracts missing from chain 1's empty allowlist, so each plan that parses is flagged.
    expect(flagged).toBeGreaterThan(ADAPTER_CASES / 2)
  })

  it(`${VIA_BIN} bad configs through the real bin/bot.js child process: exit 2, one clear error, no stack`, async () => {
    const r = createRng(SEED + 2)
    const files: string[] = []
    while (files.length < VIA_BIN) {
      const raw = caseFor(r)
      const file = join(tmp.dir, `bin-${files.length}.json`)
      writeFileSync(file, files.length % 4 === 3 ? mutateText(JSON.stringify(raw), r) : JSON.stringify(raw))
      const ok = await loadConfig(file, { env: FUZZ_ENV }).then(
        () => true,
        () => false,
      )
      if (!ok) files.push(file)
    }
    const runBin = (file: string) =>
      new Promise<{ code: number | null; stderr: string; stdout: string }>((res, rej) => {
        const child = spawn(process.execPath, [BIN, '--once', '--config', file], {
          cwd: tmp.dir,
          env: { PATH: process.env.PATH, ...FUZZ_ENV, NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let stderr = ''
        let stdout = ''
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString()
        })
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString()
        })
        child.on('error', rej)
        child.on('close', (code) => res({ code, stderr, stdout }))
      })
    for (let i = 0; i < files.length; i += 4) {
      const results = await Promise.all(files.slice(i, i + 4).map(runBin))
      results.forEach((res, k) => {
        const label = `${files[i + k]}: ${readFileSync(files[i + k] as string, 'utf8').slice(0, 200)}`
        expect(res.code, label).toBe(2)
        expect(res.stderr, label).toMatch(/^error CONFIG_[A-Z_]+: /)
        expect(res.stderr, label).not.toMatch(STACK)
        expect(res.stderr.includes(CANARY_ENV_VALUE), label).toBe(false)
        expect(res.stdout, label).toBe('')
      })
    }
  }, 240_000) // 24 node start-ups: generous because several test suites share two cores
})
