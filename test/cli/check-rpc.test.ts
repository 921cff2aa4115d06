// `bot check --rpc` against a real devnet: chain ids of every URL, code at each planned contract, balances per wallet.
import { join } from 'node:path'
import { parseEther, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { runMain, tempDir } from './helpers.ts'

const tmp = tempDir('bot-check-rpc-')
let devnet: Devnet
let book: { tokens: Record<string, { address: string; decimals: number }>; contracts: Record<string, string> }
let allowlist: string[]

beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayer: false })
  const l1 = devnet.book[devnet.l1.chainId]!
  // The devnet's deployments given as book overrides, as an operator would add entries the built-in book lacks.
  book = {
    tokens: Object.fromEntries(
      Object.values(l1.tokens).map((t) => [t.symbol, { address: t.address, decimals: t.decimals }]),
    ),
    contracts: { weth: l1.contracts.weth!, uniswapV2Router02: l1.contracts.uniswapV2Router02! },
  }
  allowlist = [l1.contracts.uniswapV2Router02!, l1.contracts.weth!, l1.tokens.USDC!.address]
}, 60_000)
afterAll(async () => {
  await devnet?.stop()
  tmp.cleanup()
})

const wrap = (amount: string) => ({
  adapter: 'weth',
  wallet: 'ops',
  params: { chainId: 31337, action: 'wrap', amount },
})
const swap = (tokenIn: string, tokenOut: string, amountIn: string) => ({
  adapter: 'uniswap-v2',
  wallet: 'ops',
  params: { chainId: 31337, tokenIn, tokenOut, amountIn, slippageBps: 50 },
})
function config(o: { wallet: Address; jobs: unknown[]; chain?: Record<string, unknown> }): string {
  return tmp.file(
    `c-${Math.random().toString(36).slice(2)}.json`,
    JSON.stringify({
      chains: [
        {
          id: 31337,
          name: 'devnet-l1',
          rpcUrls: [devnet.l1.rpcUrl],
          allowlist,
          book,
          caps: { maxValuePerTx: '1', dailyTokens: { WETH: '1', USDC: '1000' } },
          ...o.chain,
        },
      ],
      wallets: [{ name: 'ops', address: o.wallet, privateKeyEnv: 'OPS_KEY_NOT_SET' }],
      protocols: { weth: {}, 'uniswap-v2': {} },
      jobs: o.jobs.map((args, i) => ({
        id: i === 0 ? 'wrap' : `j${i}`,
        taskType: 'protocol_call',
        dependencies: i === 0 ? [] : ['wrap'],
        args,
      })),
      store: { path: join(tmp.dir, 'never.db') },
    }),
  )
}

describe('bot check --rpc', () => {
  it('checks chain ids, code and balances, one line per wallet/chain/asset, and exits 0 when the plan is funded', async () => {
    const wallet = devnet.accounts[1]!.address
    const path = config({ wallet, jobs: [wrap('0.2'), swap('WETH', 'USDC', '0.2')] })
    const r = await runMain(['check', '--rpc', '--config', path])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`devnet-l1 ${devnet.l1.rpcUrl}: chain id ok`)
    expect(r.stdout).toContain('contract code: ok (2 contracts)')
    expect(r.stdout).toMatch(/ops on devnet-l1: 10000 ETH, needs ≥ 0\.2 ETH \+ [\d.]+ ETH gas: ok/)
    // The swap spends WETH the wrap makes first: not a problem, but said so.
    expect(r.stdout).toContain('ops on devnet-l1: 0 WETH, needs ≥ 0.2 WETH: ok if wrap runs first')
    expect(r.stdout).toContain('plan OK: chains and balances checked')

    const json = JSON.parse((await runMain(['check', '--rpc', '--json', '--config', path])).stdout) as {
      ok: boolean
      rpc: {
        balances: Array<{ asset: string; balance: { amount: string }; needs: { amount: string; formatted: string } }>
      }
    }
    expect(json.ok).toBe(true)
    const eth = json.rpc.balances.find((b) => b.asset === 'ETH')!
    expect(eth.balance.amount).toBe(parseEther('10000').toString())
    expect(eth.needs).toEqual({ amount: parseEther('0.2').toString(), formatted: '0.2 ETH' })
  })

  it('reports a balance too low for the plan (native and token) with the wallet path, exit 2', async () => {
    const poor = devnet.accounts[3]!.address
    await devnet.l1.client.request({
      method: 'anvil_setBalance' as never,
      params: [poor, `0x${parseEther('0.1').toString(16)}`] as never,
    })
    const path = config({ wallet: poor, jobs: [wrap('0.2'), swap('USDC', 'WETH', '500')] })
    const r = await runMain(['check', '--rpc', '--config', path])
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(/ops on devnet-l1: 0\.1 ETH, needs ≥ 0\.2 ETH \+ [\d.]+ ETH gas: TOO LOW/)
    expect(r.stdout).toContain('ops on devnet-l1: 0 USDC, needs ≥ 500 USDC: TOO LOW')
    expect(r.stderr).toMatch(/wallets\[0\].*holds 0\.1 ETH on devnet-l1 but the plan needs ≥ 0\.2 ETH/)
    expect(r.stderr).toMatch(/wallets\[0\].*holds 0 USDC on devnet-l1 but the plan needs ≥ 500 USDC/)
  })

  it('reports a planned contract without code on the chain, exit 2', async () => {
    const eoa = devnet.accounts[4]!.address
    const path = config({
      wallet: devnet.accounts[1]!.address,
      jobs: [wrap('0.2'), swap('WETH', 'USDC', '0.2')],
      chain: {
        book: { ...book, contracts: { ...book.contracts, uniswapV2Router02: eoa } },
        allowlist: [...allowlist, eoa],
      },
    })
    const r = await runMain(['check', '--rpc', '--config', path])
    expect(r.code).toBe(2)
    expect(r.stdout).toContain('contract code: MISSING at uniswapV2Router02@31337')
    expect(r.stderr).toContain(`jobs[1].args.params: uniswapV2Router02 ${eoa} has no code on devnet-l1 (chain 31337)`)
  })

  it('names the chain and the redacted URL of a wrong chain id and of an unreachable RPC, exit 2', async () => {
    const secret = 'k3y-0f-the-0perator-123456'
    const path = config({
      wallet: devnet.accounts[1]!.address,
      jobs: [],
      chain: {
        id: 8453,
        name: 'base',
        rpcUrls: [`${devnet.l1.rpcUrl}/?apikey=${secret}`, `http://127.0.0.1:9/v2/${secret}`],
      },
    })
    const r = await runMain(['check', '--rpc', '--config', path])
    expect(r.code).toBe(2)
    const text = r.stdout + r.stderr
    expect(text).not.toContain(secret)
    expect(r.stderr).toMatch(
      /chains\[0\]\.rpcUrls\[0\].*base \(chain 8453\): RPC http:\/\/127\.0\.0\.1:\d+\/?\[redacted\] serves chain 31337, not 8453/,
    )
    expect(r.stderr).toMatch(
      /chains\[0\]\.rpcUrls\[1\].*base \(chain 8453\): RPC http:\/\/127\.0\.0\.1:9\/?\[redacted\] is unreachable/,
    )
  })
})
