// Runs the real `bot` binary as a child process and collects its exit code and output (for end-to-end tests).
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Repository root and the bin the README tells users to run. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BOT_BIN = join(ROOT, 'bin', 'bot.js')

/** What a finished `bot` invocation produced. */
export interface BotResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Starts `bot args...`; the caller may signal or wait for it. */
export function spawnBot(
  args: string[],
  env: Record<string, string> = {},
): ChildProcess & { output: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [BOT_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { output: { stdout: string; stderr: string } }
  child.output = { stdout: '', stderr: '' }
  child.stdout!.on('data', (b: Buffer) => {
    child.output.stdout += b.toString()
  })
  child.stderr!.on('data', (b: Buffer) => {
    child.output.stderr += b.toString()
  })
  return child
}

/** Runs `bot args...` to completion (killed after `timeoutMs`). */
export function runBot(args: string[], env: Record<string, string> = {}, timeoutMs = 180_000): Promise<BotResult> {
  const child = spawnBot(args, env)
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, ...child.output })
    })
  })
}

/** Resolves when `pattern` appears in the child's output. */
export function waitForOutput(child: ReturnType<typeof spawnBot>, pattern: RegExp, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll)
      reject(new Error(`timed out waiting for ${pattern}: ${child.output.stderr.slice(-800)}`))
    }, timeoutMs)
    const poll = setInterval(() => {
      if (pattern.test(child.output.stdout + child.output.stderr)) {
        clearInterval(poll)
        clearTimeout(timer)
        resolve()
      }
    }, 50)
  })
}
