// Starts a real anvil node from the npm package on a free 127.0.0.1 port and always stops it.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { AppError } from '../errors/app-error.ts'

/** Options for one anvil node. */
export interface AnvilOptions {
  chainId?: number
  /** Automine every transaction (default) or mine only on `evm_mine` / block time. */
  automine?: boolean
  /** Seconds between blocks when set (interval mining). */
  blockTime?: number
  /** Fork another node (e.g. a local anvil) at its head. */
  forkUrl?: string
  baseFee?: bigint
  gasLimit?: bigint
  /** Extra accounts' balance in ETH; anvil's default is 10000. */
  balanceEth?: number
  extraArgs?: string[]
}

/** A running anvil node. */
export interface AnvilInstance {
  rpcUrl: string
  port: number
  chainId: number
  process: ChildProcess
  /** Kills the node (SIGKILL after a short grace) and removes its temporary HOME. */
  stop(): Promise<void>
}

const require = createRequire(import.meta.url)
/** Anvil's default mnemonic accounts; test keys only, never funded anywhere real. */
export const ANVIL_TEST_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
] as const

/** Absolute path of the anvil binary shipped in `@foundry-rs/anvil-linux-amd64` (or the platform package). */
export function anvilBinaryPath(): string {
  const pkgs = ['@foundry-rs/anvil-linux-amd64', '@foundry-rs/anvil-linux-arm64', '@foundry-rs/anvil-darwin-arm64']
  for (const pkg of pkgs) {
    try {
      const bin = join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'anvil')
      if (existsSync(bin)) return bin
    } catch {
      // not this platform's package
    }
  }
  throw new AppError('ANVIL_MISSING', 'the anvil binary was not found in node_modules', {
    hint: 'run `npm ci` (the dev dependency @foundry-rs/anvil ships the binary)',
  })
}

/**
 * Spawns anvil with flags that leak neither disk nor processes: a temporary HOME, no persisted states,
 * and (on Linux) `setpriv --pdeathsig` so the node dies with its parent even on SIGKILL.
 */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilInstance> {
  const chainId = options.chainId ?? 31337
  const home = mkdtempSync(join(tmpdir(), 'anvil-home-'))
  const args = ['--host', '127.0.0.1', '--port', '0', '--chain-id', String(chainId), '--max-persisted-states', '0']
  if (options.automine === false && options.blockTime === undefined) args.push('--no-mining')
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime))
  // --no-storage-caching is only valid with a fork; it keeps forked state out of ~/.foundry.
  if (options.forkUrl) args.push('--fork-url', options.forkUrl, '--no-storage-caching')
  if (options.baseFee !== undefined) args.push('--block-base-fee-per-gas', options.baseFee.toString())
  if (options.gasLimit !== undefined) args.push('--gas-limit', options.gasLimit.toString())
  if (options.balanceEth !== undefined) args.push('--balance', String(options.balanceEth))
  args.push(...(options.extraArgs ?? []))
  const bin = anvilBinaryPath()
  const useSetpriv = process.platform === 'linux' && existsSync('/usr/bin/setpriv')
  const child = useSetpriv
    ? spawn('/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', bin, ...args], {
        env: { ...process.env, HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(bin, args, { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] })
  const cleanup = () => rmSync(home, { recursive: true, force: true })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => fail(new Error(`anvil did not start in 15 s: ${out.slice(-500)}`)), 15_000)
    const fail = (err: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      cleanup()
      reject(new AppError('ANVIL_START', err.message, { cause: err }))
    }
    const onData = (buf: Buffer) => {
      out += buf.toString()
      const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve(Number(m[1]))
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (b: Buffer) => {
      out += b.toString()
    })
    child.once('exit', (code) => fail(new Error(`anvil exited with ${code}: ${out.slice(-500)}`)))
    child.once('error', fail)
  })
  child.stderr?.resume()
  let stopped: Promise<void> | undefined
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        cleanup()
        resolve()
        return
      }
      const kill = setTimeout(() => child.kill('SIGKILL'), 2_000)
      child.once('exit', () => {
        clearTimeout(kill)
        cleanup()
        resolve()
      })
      child.kill('SIGTERM')
    })
    return stopped
  }
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL')
    cleanup()
  })
  return { rpcUrl: `http://127.0.0.1:${port}`, port, chainId, process: child, stop }
}

/** Sends a raw JSON-RPC request (for anvil cheat methods viem does not wrap). */
export async function anvilRpc<T = unknown>(rpcUrl: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await res.json()) as { result?: T; error?: { message: string } }
  if (body.error) throw new AppError('ANVIL_RPC', `${method} failed: ${body.error.message}`)
  return body.result as T
}
