// The plan is checked before anything starts: each problem with its path, exit 2, and not one RPC request.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordingServices, runMain, tempDir } from './helpers.ts'

const tmp = tempDir('bot-plan-')
let rpc: Server
let rpcUrl = ''
let requests = 0
const ROUTER = '0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D'
const WETH = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2'
const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'

beforeAll(async () => {
  // Stands in for an RPC endpoint only to count requests: a check must make none.
  rpc = createServer((req, res) => {
    requests++
    res.writeHead(500).end()
  })
  await new Promise<void>((r) => rpc.listen(0, '127.0.0.1', r))
  rpcUrl = `http://127.0.0.1:${(rpc.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((r) => rpc.close(r))
  tmp.cleanup()
})

const swap = (params: Record<string, unknown>) => ({
  adapter: 'uniswap-v2',
  wallet: 'ops',
  params: { chainId: 1, tokenIn: 'WETH', tokenOut: 'USDC', amountIn: '0.2', slippageBps: 30, ...params },
})
function config(jobs: unknown[], allowlist = [ROUTER, WETH, USDC]) {
  return tmp.file(
    `c-${Math.random().toString(36).slice(2)}.json`,
    JSON.stringify({
      chains: [
        { id: 1, name: 'ethereum', rpcUrls: [rpcUrl], allowlist, caps: { dailyTokens: { WETH: '1', USDC: '500' } } },
        { id: 8453, name: 'base', rpcUrls: [rpcUrl] },
      ],
      wallets: [{ name: 'ops', privateKeyEnv: 'BOT_TEST_KEY' }],
      protocols: { 'uniswap-v2': { chains: [1] }, weth: {}, 'op-bridge': {} },
      jobs: jobs.map((args, i) => ({ id: `j${i}`, taskType: 'protocol_call', args })),
      store: { path: join(tmp.dir, 'never.db') },
    }),
  )
}

describe('plan check', () => {
  it('`bot check` on a sound plan prints jobs, contracts by name, caps and allowlists, exits 0, connects nowhere', async () => {
    const path = config([
      { adapter: 'weth', wallet: 'ops', params: { chainId: 1, action: 'wrap', amount: '0.2' } },
      swap({}),
    ])
    const r = await runMain(['check', '--config', path])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/weth@1/)
    expect(r.stdout).toMatch(/uniswapV2Router02@1, WETH@1/)
    expect(r.stdout).toMatch(/tokens per day: WETH 1, USDC 500/)
    expect(r.stdout).toMatch(/plan OK/)
    const json = JSON.parse((await runMain(['check', '--json', '--config', path])).stdout) as {
      ok: boolean
      jobs: Array<{ params?: Record<string, unknown> }>
    }
    expect(json.ok).toBe(true)
    // --json keeps exact base units.
    expect(json.jobs[1]!.params!.amountIn).toBe('200000000000000000 wei')
    expect(requests).toBe(0)
  })

  it.each([
    ['a bare number as amount', swap({ amountIn: 0.2 }), 'jobs[0].args.params.amountIn', /bare numbers are refused/],
    [
      'token units finer than the token',
      swap({ tokenIn: 'USDC', tokenOut: 'WETH', amountIn: '0.0000001' }),
      'jobs[0].args.params.amountIn',
      /USDC has 6/,
    ],
    ['an unknown token', swap({ tokenOut: 'NOPE' }), 'jobs[0].args.params.tokenOut', /unknown token "NOPE" on chain 1/],
    [
      'a chain that is not configured',
      { adapter: 'weth', wallet: 'ops', params: { chainId: 777, action: 'wrap', amount: '1' } },
      'jobs[0].args.params.chainId',
      /chain 777 is not in the address book \(configured: 1, 8453\)/,
    ],
    [
      'a bridge to a chain that is not its L2',
      { adapter: 'op-bridge', wallet: 'ops', params: { fromChainId: 8453, toChainId: 1, token: 'ETH', amount: '1' } },
      'jobs[0].args.params.toChainId',
      /chain 1 is not an OP-Stack L2 of chain 8453/,
    ],
    ['an unknown wallet', { ...swap({}), wallet: 'nobody' }, 'jobs[0].args.wallet', /unknown wallet "nobody"/],
  ])('%s: exit 2 naming the path, before any RPC call', async (_what, args, path, message) => {
    for (const verb of [['check'], ['--once']]) {
      const r = await runMain([...verb, '--config', config([args])], { createServices: recordingServices().factory })
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toContain(path)
      expect(r.stderr).toMatch(message)
    }
    expect(requests).toBe(0)
  })

  it('a contract the job calls that is missing from the allowlist is a problem', async () => {
    const r = await runMain(['check', '--config', config([swap({})], [WETH, USDC])])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('jobs[0].args.params')
    expect(r.stderr).toContain(`uniswapV2Router02 ${ROUTER} on chain 1 is not in the chain's allowlist`)
    // The L2 side of a bridge is only read, so chain 8453's empty allowlist is no problem; chain 1's bridge is.
    const bridge = await runMain([
      'check',
      '--config',
      config([
        {
          adapter: 'op-bridge',
          wallet: 'ops',
          params: { fromChainId: 1, toChainId: 8453, token: 'ETH', amount: '0.05' },
        },
      ]),
    ])
    expect(bridge.stderr).toContain(
      "l1StandardBridge.8453 0x3154Cf16ccdb4C6d922629664174b904d80F2C35 on chain 1 is not in the chain's allowlist",
    )
    expect(bridge.stderr).not.toContain('on chain 8453')
    expect(requests).toBe(0)
  })

  it('uniswap-v3 and aave-v3 jobs in token units: only the router, the Pool and the spent tokens are call targets', async () => {
    const B = {
      router: '0x2626664c2603336E57B271c5C0b26F421741e481',
      pool: '0xA238Dd80C259a72e81d7e4664a9801593F98d1c5',
      WETH: '0x4200000000000000000000000000000000000006',
      USDC: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    }
    const job = (id: string, args: unknown) => ({ id, taskType: 'protocol_call', args })
    const base = (allowlist: string[]) =>
      tmp.file(
        `v3-${allowlist.length}.json`,
        JSON.stringify({
          chains: [{ id: 8453, name: 'base', rpcUrls: [rpcUrl], allowlist }],
          wallets: [{ name: 'ops', privateKeyEnv: 'BOT_TEST_KEY' }],
          protocols: { 'uniswap-v3': { chains: [8453] }, 'aave-v3': { chains: [8453] } },
          jobs: [
            job('swap', {
              adapter: 'uniswap-v3',
              wallet: 'ops',
              params: { chainId: 8453, tokenIn: 'WETH', tokenOut: 'USDC', amountIn: '0.2', slippageBps: 30 },
            }),
            job('lend', {
              adapter: 'aave-v3',
              wallet: 'ops',
              params: { chainId: 8453, action: 'supply', asset: 'USDC', amount: '500' },
            }),
          ],
          store: { path: join(tmp.dir, 'never.db') },
        }),
      )
    const path = base([B.router, B.pool, B.WETH, B.USDC])
    const r = await runMain(['check', '--config', path])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    // QuoterV2 and the factory are only read: they need no allowlist entry.
    expect(r.stdout).toMatch(/swapRouter02@8453, WETH@8453/)
    expect(r.stdout).not.toMatch(/quoterV2|uniswapV3Factory/)
    expect(r.stdout).toMatch(/aaveV3Pool@8453, USDC@8453/)
    const json = JSON.parse((await runMain(['check', '--json', '--config', path])).stdout) as {
      jobs: Array<{ params?: Record<string, unknown> }>
    }
    expect(json.jobs.map((j) => j.params?.amountIn ?? j.params?.amount)).toEqual([
      '200000000000000000 wei',
      '500000000 wei',
    ])
    const noPool = await runMain(['check', '--config', base([B.router, B.WETH, B.USDC])])
    expect(noPool.code).toBe(2)
    expect(noPool.stderr).toContain(`aaveV3Pool ${B.pool} on chain 8453 is not in the chain's allowlist`)
    expect(requests).toBe(0)
  })

  it('config/example.yaml checks clean with only its env vars set, and connects nowhere', async () => {
    const env = { ETH_RPC_URL: rpcUrl, BASE_RPC_URL: rpcUrl, ALCHEMY_KEY: 'unused' }
    const r = await runMain(['check', '--config', join(process.cwd(), 'config', 'example.yaml')], { env })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/wrap-eth .* weth@1/)
    expect(r.stdout).toMatch(/caps: 0.25 ETH per tx, 0.5 ETH native per day; tokens per day: WETH 0.5, USDC 1000/)
    expect(requests).toBe(0)
  })

  it('an adapter enabled only on other chains is a problem', async () => {
    const r = await runMain(['check', '--config', config([swap({ chainId: 8453 })])])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/adapter uniswap-v2 is enabled only on chains 1, not 8453/)
  })

  it('a daily cap for a token the book lacks is a problem with its path', async () => {
    const path = tmp.file(
      'caps.json',
      JSON.stringify({
        chains: [{ id: 1, name: 'ethereum', rpcUrls: [rpcUrl], caps: { dailyTokens: { PEPE: '5' } } }],
        store: { path: join(tmp.dir, 'x.db') },
      }),
    )
    const r = await runMain(['check', '--config', path])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('chains[0].caps.dailyTokens.PEPE')
  })
})
