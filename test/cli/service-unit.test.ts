// The systemd unit keeps its safety properties: restricted user, hardening, state dir, secrets file, no restart loop on bad input.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const unit = readFileSync(join(resolve(import.meta.dirname, '..', '..'), 'scripts', 'airdrops.service'), 'utf8')
const directives = new Map<string, string[]>()
for (const line of unit.split('\n')) {
  const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim())
  if (m) directives.set(m[1] as string, [...(directives.get(m[1] as string) ?? []), m[2] as string])
}
const one = (k: string) => directives.get(k)?.[0]

describe('scripts/airdrops.service', () => {
  it('runs `bot run` as a dedicated user with secrets from an EnvironmentFile', () => {
    expect(one('User')).toBe('airdrops')
    expect(one('User')).not.toBe('root')
    expect(one('ExecStart')).toMatch(/bin\/bot\.js run --config \S+/)
    expect(one('ExecStart')).not.toMatch(/passphrase|private|key=/i)
    expect(one('EnvironmentFile')).toBe('/etc/airdrops/airdrops.env')
  })

  it('is hardened and can write only its state directory', () => {
    for (const [k, v] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['PrivateTmp', 'yes'],
      ['ProtectHome', 'yes'],
    ]) {
      expect(one(k as string), k).toBe(v)
    }
    expect(one('ReadWritePaths')).toBe('/var/lib/airdrops')
    expect(one('StateDirectory')).toBe('airdrops')
    expect(one('CapabilityBoundingSet')).toBe('')
  })

  it('restarts on failure but not on bad input (exit 2), and stops after the scheduler grace period', () => {
    expect(one('Restart')).toBe('on-failure')
    expect(one('RestartPreventExitStatus')).toBe('2')
    expect(one('KillSignal')).toBe('SIGTERM')
    expect(Number(one('TimeoutStopSec'))).toBeGreaterThan(30)
  })
})
