// Config loader: every error with its path, env substitution, YAML, unknown keys, key-like values, presets.
import { afterAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { ConfigError, UnknownPresetError } from '../../src/config/errors.ts'
import {
  DEFAULT_CONFIG_PATH,
  listPresets,
  loadConfig,
  loadPreset,
  parseConfig,
  parseJobConfig,
} from '../../src/config/load.ts'
import { tempDir } from './helpers.ts'

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const MNEMONIC = 'test test test test test test test test test test test junk'
const tmp = tempDir()
afterAll(() => tmp.cleanup())

const minimal = { chains: [{ id: 1, name: 'mainnet', rpcUrls: ['https://rpc.example.org'] }] }

async function issuesOf(raw: unknown, env: Record<string, string> = {}): Promise<ConfigError> {
  try {
    await parseConfig(raw, 'test', { env })
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return err as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('schema defaults', () => {
  it('fills defaults and parses units exactly', async () => {
    const c = await parseConfig(
      {
        ...minimal,
        risk: { maxGasPrice: '1.5 gwei', dailyGasBudget: '0.000000000000000001' },
        scheduler: { defaultRetryDelay: '1.5s' },
        jobs: [{ id: 'a', taskType: 'market_tick', trigger: 'interval_30m', timeout: '2m', gasCap: 12 }],
      },
      'test',
      { env: {} },
    )
    expect(c.risk.maxGasPrice).toBe(1_500_000_000n)
    expect(c.risk.dailyGasBudget).toBe(1n)
    expect(c.scheduler.defaultRetryDelay).toBe(1500)
    expect(c.scheduler.maxGasPrice).toBe(1_500_000_000n)
    expect(c.scheduler.circuitBreakerTimeout).toBe(30 * 60_000)
    expect(c.jobs[0]).toMatchObject({
      priority: 'normal',
      enabled: true,
      dependencies: [],
      timeout: 120_000,
      gasCap: 12_000_000_000n,
      maxInstances: 1,
    })
    expect(c.chains[0]).toMatchObject({ confirmations: 1, allowlist: [], rpcBatchSize: 0 })
    expect(c.store).toEqual({ kind: 'sqlite', path: '.state/bot.db' })
    expect(c.server).toMatchObject({ enabled: false, host: '127.0.0.1' })
    expect(c.devnet.embedded).toBe(false)
  })

  it('an empty config means the embedded devnet', async () => {
    const c = await parseConfig({}, 'test', { env: {} })
    expect(c.devnet).toEqual({ embedded: true, chains: [31337, 31338] })
  })
})

describe('errors', () => {
  it('a message that quotes a field shows the variable name, never the value that came from the environment', async () => {
    const secret = 'tok-3f9a1c7e55'
    const err = await issuesOf(
      {
        ...minimal,
        wallets: [{ name: 'w', privateKeyEnv: 'K' }],
        jobs: [
          {
            id: 'j',
            taskType: 'protocol_call',
            trigger: 'hourly',
            args: { adapter: 'x-${ADAPTER_TOKEN}', wallet: 'w', params: {} },
          },
        ],
      },
      { ADAPTER_TOKEN: secret },
    )
    const all = `${err.message}\n${JSON.stringify(err.issues)}`
    expect(all).not.toContain(secret)
    expect(err.issues.find((i) => i.path === 'jobs[0].args.adapter')?.message).toContain('"x-${ADAPTER_TOKEN}"')
  })

  it('lists every bad path, not just the first, each with a message', async () => {
    const err = await issuesOf({
      chains: [{ id: 0, name: 'x', rpcUrls: ['ftp://a'], confirmatons: 2, rpcBatchSize: 5000 }],
      jobs: [
        { id: 'a', taskType: 'protocol_call', trigger: 'interval_0m', dependencies: ['nope'] },
        { id: 'b', taskType: 'x', trigger: { type: 'cron', expression: '* *' } },
        { id: 'a', taskType: 'x', priority: 'urgent' },
      ],
      risk: { maxGasPrice: 'cheap', dailyGasBudget: 0.1 },
      scheduler: { retention: { days: 0 }, maxConcurentJobs: 3 },
    })
    const paths = err.issues.map((i) => i.path)
    expect(paths).toEqual(
      expect.arrayContaining([
        'chains[0].id',
        'chains[0].rpcUrls[0]',
        'chains[0].confirmatons',
        'chains[0].rpcBatchSize',
        'jobs[0].trigger',
        'jobs[0].dependencies[0]',
        'jobs[1].trigger.expression',
        'jobs[2].id',
        'jobs[2].priority',
        'risk.maxGasPrice',
        'risk.dailyGasBudget',
        'scheduler.retention.days',
        'scheduler.maxConcurentJobs',
      ]),
    )
    expect(err.issues.length).toBeGreaterThanOrEqual(13)
    for (const i of err.issues) expect(i.message.length).toBeGreaterThan(5)
    const typo = err.issues.find((i) => i.path === 'scheduler.maxConcurentJobs')
    expect(typo?.fix).toContain('did you mean "maxConcurrentJobs"')
    expect(err.code).toBe('CONFIG_INVALID')
    expect(err.retryable).toBe(false)
  })

  it('rejects unknown keys at every level', async () => {
    const err = await issuesOf({
      ...minimal,
      extra: 1,
      server: { enabled: false, tls: true },
      chains: [{ ...minimal.chains[0], x: 1 }],
    })
    expect(err.issues.map((i) => i.path).sort()).toEqual(['chains[0].x', 'extra', 'server.tls'])
    expect(err.issues.every((i) => i.message === 'unknown key')).toBe(true)
  })

  it('says what was missing', async () => {
    const err = await issuesOf({ jobs: [{ trigger: 'hourly' }] })
    const id = err.issues.find((i) => i.path === 'jobs[0].id')
    expect(id?.message).toMatch(/^missing; expected a job id/)
    expect(err.issues.find((i) => i.path === 'jobs[0].taskType')).toBeDefined()
  })

  it('refuses a server on a public host unless reads are protected', async () => {
    const err = await issuesOf({ server: { enabled: true, host: '0.0.0.0' } })
    expect(err.issues[0]?.path).toBe('server')
    await expect(
      parseConfig({ server: { enabled: true, host: '0.0.0.0', protectReads: true } }, 't', { env: {} }),
    ).resolves.toBeDefined()
  })

  it('store.cluster needs PostgreSQL and a heartbeat well inside the lease', async () => {
    const noPg = await issuesOf({ store: { cluster: {} } })
    expect(noPg.issues.map((i) => [i.path, i.message])).toEqual([
      ['store.cluster', expect.stringMatching(/needs store.kind "postgres"/)],
    ])
    const fast = await issuesOf({
      store: { kind: 'postgres', url: 'postgres://u@h/db', cluster: { leaseMs: 2_000, heartbeatMs: 1_000 } },
    })
    expect(fast.issues[0]?.path).toBe('store.cluster.heartbeatMs')
    const ok = await parseConfig(
      { store: { kind: 'postgres', url: 'postgres://u@h/db', cluster: { instanceId: 'a' } } },
      't',
      { env: {} },
    )
    expect(ok.store.cluster).toEqual({ instanceId: 'a', leaseMs: 10_000, heartbeatMs: 1_000 })
  })

  it('a protocol_call job must name an adapter listed under protocols', async () => {
    const err = await issuesOf({
      protocols: { 'uniswap-v2': {} },
      jobs: [
        { id: 'a', taskType: 'protocol_call', args: { adapter: 'uniswap-v2', params: {} } },
        { id: 'b', taskType: 'protocol_call', args: { adapter: 'uniswap-v3', params: {} } },
      ],
    })
    expect(err.issues).toHaveLength(1)
    expect(err.issues[0]).toMatchObject({ path: 'jobs[1].args.adapter' })
    expect(err.issues[0]?.message).toContain('not listed under "protocols"')
  })

  it('requires exactly one key source per wallet', async () => {
    const err = await issuesOf({ wallets: [{ name: 'w' }, { name: 'v', keystore: 'k.json', privateKeyEnv: 'K' }] })
    expect(err.issues.map((i) => i.path)).toEqual(['wallets[0]', 'wallets[1]'])
  })

  it('accepts an address alone: a keyless wallet (dry runs only; a live run refuses it at the plan check)', async () => {
    const c = await parseConfig(
      { ...minimal, wallets: [{ name: 'w', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }] },
      'test',
      { env: {} },
    )
    expect(c.wallets[0]).toEqual(
      expect.objectContaining({ name: 'w', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }),
    )
  })
})

describe('secrets are refused', () => {
  it.each([
    ['a hex key in a wallet field', { wallets: [{ name: 'w', privateKeyEnv: KEY }] }, 'wallets[0].privateKeyEnv'],
    [
      'a key without 0x deep in job args',
      { jobs: [{ id: 'j', taskType: 't', args: { nested: [{ k: KEY.slice(2) }] } }] },
      'jobs[0].args.nested[0].k',
    ],
    [
      'a mnemonic in metadata',
      { jobs: [{ id: 'j', taskType: 't', metadata: { note: MNEMONIC } }] },
      'jobs[0].metadata.note',
    ],
    ['a key inside a URL', { chains: [{ id: 1, name: 'm', rpcUrls: [`https://h/${KEY}`] }] }, 'chains[0].rpcUrls[0]'],
  ])('%s', async (_name, raw, path) => {
    const err = await issuesOf(raw)
    const hit = err.issues.find((i) => i.path === path)
    expect(hit?.message).toMatch(/looks like a (private key|mnemonic)/)
    expect(hit?.fix).toContain('privateKeyEnv')
    expect(JSON.stringify(err)).not.toContain(KEY.slice(2))
    expect(err.message).not.toContain(KEY.slice(2))
  })

  it('a key arriving through ${VAR} is refused without showing it', async () => {
    const err = await issuesOf({ wallets: [{ name: 'w', privateKeyEnv: '${MY_KEY}' }] }, { MY_KEY: KEY })
    expect(err.issues.find((i) => i.path === 'wallets[0].privateKeyEnv')?.message).toContain(
      'substituted from an environment variable',
    )
    expect(JSON.stringify(err.issues) + err.message).not.toContain(KEY.slice(2))
  })

  it('ordinary 12-word prose is not a mnemonic', async () => {
    const c = await parseConfig(
      {
        jobs: [
          {
            id: 'j',
            taskType: 't',
            metadata: { note: 'swap some weth into usdc every morning before the market opens ok' },
          },
        ],
      },
      't',
      { env: {} },
    )
    expect(c.jobs[0]?.metadata.note).toContain('swap')
  })
})

describe('environment substitution', () => {
  it('substitutes ${VAR}, uses ${VAR:-fallback}, keeps $${ literal', async () => {
    const c = await parseConfig(
      {
        chains: [
          { id: 10, name: 'op', rpcUrls: ['https://${HOST}/v2/${API_KEY}', '${FALLBACK:-https://fallback.example}'] },
        ],
        jobs: [{ id: 'j', taskType: 't', metadata: { literal: '$${NOT_A_VAR}' } }],
      },
      't',
      { env: { HOST: 'rpc.example.org', API_KEY: 'abc123' } },
    )
    expect(c.chains[0]?.rpcUrls).toEqual(['https://rpc.example.org/v2/abc123', 'https://fallback.example'])
    expect(c.jobs[0]?.metadata.literal).toBe('${NOT_A_VAR}')
  })

  it('a missing variable names path and variable; a bad substituted value is never shown', async () => {
    const err = await issuesOf(
      {
        chains: [{ id: 1, name: 'm', rpcUrls: ['${RPC_URL}', '${BAD_URL}'] }],
      },
      { BAD_URL: 'not a url secret-canary-123' },
    )
    const missing = err.issues.find((i) => i.path === 'chains[0].rpcUrls[0]')
    expect(missing?.message).toBe('environment variable RPC_URL is not set')
    const bad = err.issues.find((i) => i.path === 'chains[0].rpcUrls[1]')
    expect(bad?.message).toContain('came from an environment variable and is not shown')
    expect(JSON.stringify(err.issues) + err.message).not.toContain('secret-canary-123')
    expect(err.issues.filter((i) => i.path === 'chains[0].rpcUrls[0]')).toHaveLength(1)
  })
})

describe('files', () => {
  it('loads YAML with the same schema', async () => {
    const p = tmp.file(
      'c.yaml',
      'chains:\n  - id: 8453\n    name: base\n    rpcUrls: ["${BASE_RPC}"]\n    confirmations: 3\njobs:\n  - id: tick\n    taskType: market_tick\n    trigger: interval_1m\n',
    )
    const c = await loadConfig(p, { env: { BASE_RPC: 'https://base.example' } })
    expect(c.chains[0]).toMatchObject({ id: 8453, confirmations: 3, rpcUrls: ['https://base.example'] })
  })

  it('syntax errors give line and column, never the offending text', async () => {
    const j = tmp.file('bad.json', `{\n  "wallets": [ { "name": "${KEY}" ,, } ]\n}`)
    const y = tmp.file('bad.yaml', `wallets:\n  - name: x\n   bad: [${KEY}\n`)
    for (const p of [j, y]) {
      const err = await loadConfig(p, { env: {} }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as ConfigError).code).toBe('CONFIG_SYNTAX')
      expect((err as ConfigError).issues[0]?.message).toMatch(/line \d+, column \d+/)
      expect(JSON.stringify((err as ConfigError).issues) + (err as Error).message).not.toContain(KEY.slice(2, 20))
    }
  })

  it('a missing file is CONFIG_NOT_FOUND with a fix', async () => {
    const err = (await loadConfig(join(tmp.dir, 'nope.json')).catch((e: unknown) => e)) as ConfigError
    expect(err.code).toBe('CONFIG_NOT_FOUND')
    expect(err.hint).toContain('--config')
  })

  it('duplicate YAML keys are a syntax error', async () => {
    const p = tmp.file('dup.yaml', 'store:\n  path: a.db\nstore:\n  path: b.db\n')
    await expect(loadConfig(p, { env: {} })).rejects.toMatchObject({ code: 'CONFIG_SYNTAX' })
  })

  it('__proto__ keys are rejected as unknown, not merged into prototypes', async () => {
    const p = tmp.file('proto.json', '{"__proto__": {"polluted": true}, "scheduler": {"__proto__": {"x": 1}}}')
    const err = (await loadConfig(p, { env: {} }).catch((e: unknown) => e)) as ConfigError
    expect(err.issues.map((i) => i.path).sort()).toEqual(['__proto__', 'scheduler.__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('the shipped default and example configs are valid', async () => {
    const d = await loadConfig(DEFAULT_CONFIG_PATH, { env: {} })
    expect(d.devnet.embedded).toBe(true)
    expect(d.jobs.map((j) => j.id)).toContain('bridge-to-l2')
    const ex = await loadConfig(join(DEFAULT_CONFIG_PATH, '..', 'example.yaml'), {
      env: {
        ETH_RPC_URL: 'https://eth.example',
        ETH_RPC_FALLBACK: 'https://eth2.example',
        BASE_RPC_URL: 'https://base.example',
        ALCHEMY_KEY: 'k',
      },
    })
    expect(ex.chains.length).toBeGreaterThanOrEqual(2)
    expect(ex.devnet.embedded).toBe(false)
  })
})

describe('presets', () => {
  it('ships the four presets and each loads', async () => {
    expect(listPresets()).toEqual(['bridge-rotation', 'devnet-demo', 'l2-rotation', 'swap-and-lend'])
    for (const name of listPresets()) {
      const c = await loadPreset(name, { env: {} })
      expect(c.jobs.length).toBeGreaterThan(0)
    }
  })

  it('devnet-demo chains wrap -> approve+swap -> deposit -> bridge on 31337/31338 with a tick and a rebalance', async () => {
    const c = await loadPreset('devnet-demo', { env: {} })
    const deps = Object.fromEntries(c.jobs.map((j) => [j.id, j.dependencies]))
    expect(deps['swap-weth-usdc']).toEqual(['wrap-eth'])
    expect(deps['deposit-vault']).toEqual(['swap-weth-usdc'])
    expect(deps['bridge-to-l2']).toEqual(['deposit-vault'])
    expect(c.jobs.map((j) => j.taskType)).toEqual(expect.arrayContaining(['market_tick', 'rebalance', 'protocol_call']))
    expect(c.devnet.chains).toEqual([31337, 31338])
  })

  it('l2-rotation goes out at 08:00 (bridge -> V3 swap -> Aave supply on L2) and back at 20:00 (withdraw -> Across)', async () => {
    const c = await loadPreset('l2-rotation', { env: {} })
    const jobs = Object.fromEntries(c.jobs.map((j) => [j.id, j]))
    // Each step needs the one before to have succeeded: no swap without the ETH, no supply without the USDC.
    expect(jobs['swap-on-l2']).toMatchObject({ dependencies: ['bridge-to-l2'], triggerRule: 'all_success' })
    expect(jobs['supply-on-l2']).toMatchObject({ dependencies: ['swap-on-l2'], triggerRule: 'all_success' })
    // A skipped supply still leaves an earlier position to withdraw; a failed one needs a person first.
    expect(jobs['withdraw-on-l2']).toMatchObject({ dependencies: ['supply-on-l2'], triggerRule: 'none_failed' })
    expect(jobs['bridge-back']).toMatchObject({ dependencies: ['withdraw-on-l2'], triggerRule: 'all_success' })
    const adapters = c.jobs.flatMap((j) => {
      const adapter = (j.args as { adapter?: string } | undefined)?.adapter
      return adapter ? [adapter] : []
    })
    expect(adapters).toEqual(['op-bridge', 'uniswap-v3', 'aave-v3', 'aave-v3', 'across'])
    expect(c.devnet.chains).toEqual([31337, 31338])
  })

  it('an unknown preset is a typed error listing the available ones', async () => {
    const err = await loadPreset('nope').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UnknownPresetError)
    expect((err as UnknownPresetError).available).toEqual(listPresets())
    expect((err as Error).message + JSON.stringify((err as UnknownPresetError).issues)).toContain('devnet-demo')
    await expect(loadPreset('../../package')).rejects.toBeInstanceOf(UnknownPresetError)
  })

  it('"preset" in a config starts from that preset and merges overrides', async () => {
    const c = await parseConfig({ preset: 'swap-and-lend', scheduler: { maxConcurrentJobs: 9 } }, 't', { env: {} })
    expect(c.scheduler.maxConcurrentJobs).toBe(9)
    expect(c.jobs.map((j) => j.id)).toContain('daily-swap')
    const err = await issuesOf({ preset: 'missing-one' })
    expect(err.issues[0]?.path).toBe('preset')
  })
})

describe('single job definitions', () => {
  it('validates like a jobs[] entry', async () => {
    const j = await parseJobConfig({ id: 'x', taskType: 'market_tick', trigger: 'daily_at_09:30' }, 'add-task')
    expect(j.trigger).toBe('daily_at_09:30')
    const err = (await parseJobConfig(
      { id: 'x', taskType: 'Bad Type', trigger: { type: 'date', at: 'tomorrow' }, args: { k: KEY } },
      'add-task',
    ).catch((e: unknown) => e)) as ConfigError
    expect(err.issues.map((i) => i.path).sort()).toEqual(['args.k', 'taskType', 'trigger.at'])
  })
})
