// Spawns a harness child that dies with the harness, so an interrupted soak leaves no process running.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { existsSync } from 'node:fs'

const SETPRIV = '/usr/bin/setpriv'

/**
 * `spawn`, through `setpriv --pdeathsig KILL` on Linux (it execs, so the pid, and SIGKILLs sent to it, stay the
 * child's): a harness stopped by a test timeout or Ctrl-C would otherwise leave schedulers running for ever.
 */
export function spawnTied(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  if (process.platform === 'linux' && existsSync(SETPRIV))
    return spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], options)
  return spawn(command, args, options)
}
