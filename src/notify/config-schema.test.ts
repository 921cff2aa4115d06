import { describe, expect, it } from 'vitest'
import { BotConfigSchema } from '../config/schema.ts'
import { notifySchema } from './config-schema.ts'

const paths = (input: unknown) => {
  const r = notifySchema.safeParse(input)
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('notify config', () => {
  it('is off by default and fills delivery defaults in ms', () => {
    const c = BotConfigSchema.parse({}).notify
    expect(c.channels).toEqual([])
    expect(c).toMatchObject({
      dedupWindow: 600_000,
      rateLimit: { perWindow: 5, window: 600_000 },
      dailyCapShare: 0.8,
      keep: 7 * 86_400_000,
    })
  })

  it('takes secrets only as env var names, and names the bad field', () => {
    expect(
      paths({ channels: [{ name: 'd', type: 'discord', urlEnv: 'https://discord.com/api/webhooks/1/abc' }] }),
    ).toEqual([
      'channels.0.urlEnv: expected the NAME of an environment variable (A-Z, 0-9, _), e.g. "NOTIFY_WEBHOOK_URL" (never the secret itself)',
    ])
    expect(
      paths({ channels: [{ name: 'd', type: 'slack', urlEnv: 'SLACK_URL', url: 'https://hooks.slack.com/x' }] })[0],
    ).toMatch(/^channels\.0: .*url/i)
    expect(paths({ channels: [{ name: 't', type: 'telegram', tokenEnv: 'TG' }] })).toEqual([
      'channels.0: telegram needs exactly one of chatId or chatIdEnv',
    ])
    expect(paths({ channels: [{ name: 'x', type: 'sms', urlEnv: 'X' }] })[0]).toContain('channels.0')
  })

  it('checks event kinds, severities, unique names and floors', () => {
    const hook = { type: 'webhook', urlEnv: 'U', secretEnv: 'S' }
    expect(paths({ channels: [{ ...hook, name: 'a', events: ['breaker_tripped', 'nope'] }] })[0]).toMatch(
      /^channels\.0\.events\.1: expected "all" or event kinds/,
    )
    expect(paths({ channels: [{ ...hook, name: 'a', minSeverity: 'loud' }] })[0]).toMatch(
      /^channels\.0\.minSeverity: expected one of info, warning, error, critical/,
    )
    expect(
      paths({
        channels: [
          { ...hook, name: 'a' },
          { ...hook, name: 'a' },
        ],
      }),
    ).toEqual([': notify.channels: each name must be unique'])
    expect(paths({ balanceFloors: { 1: 0.05 } })[0]).toMatch(
      /^balanceFloors\.1: expected an ETH amount as a decimal string/,
    )
    expect(notifySchema.parse({ balanceFloors: { 1: '0.05' } }).balanceFloors).toEqual({ 1: 50_000_000_000_000_000n })
  })
})
