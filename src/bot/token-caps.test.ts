// Daily token caps: symbols in token units via the book, addresses only in base units, unknown symbols refused.
import { describe, expect, it } from 'vitest'
import { BotConfigSchema } from '../config/schema.ts'
import { chainBook } from '../../protocols/address-book/index.ts'
import { resolveTokenCaps, tokenCapIssues } from './token-caps.ts'

const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'
const chain = (dailyTokens: unknown) => ({
  chains: [{ id: 1, name: 'ethereum', rpcUrls: ['http://127.0.0.1:1'], caps: { dailyTokens } }],
})

describe('daily token caps', () => {
  it('"500" USDC by symbol is 500 * 10^6 at USDC\'s address; an address key takes base units', () => {
    const caps = resolveTokenCaps(
      { USDC: '500', WETH: '0.5', '0x1111111111111111111111111111111111111111': '7 wei' },
      chainBook(1),
      'caps',
    )
    expect(caps).toEqual({
      [USDC]: 500_000_000n,
      '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2': 500_000_000_000_000_000n,
      '0x1111111111111111111111111111111111111111': 7n,
    })
  })

  it('an unknown symbol or too fine an amount is listed with its path', () => {
    expect(tokenCapIssues({ NOPE: '1', USDC: '0.0000001' }, chainBook(1), 'chains[0].caps.dailyTokens')).toEqual([
      { path: 'chains[0].caps.dailyTokens.NOPE', message: expect.stringContaining('unknown token "NOPE"') },
      { path: 'chains[0].caps.dailyTokens.USDC', message: expect.stringContaining('USDC has 6') },
    ])
  })

  it('the config refuses numbers, and token units under an address key (an old base-unit cap is never read as tokens)', () => {
    const r = BotConfigSchema.safeParse(chain({ USDC: 500, [USDC]: '1000000' }))
    expect(r.success).toBe(false)
    const msgs = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    expect(msgs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/dailyTokens\.USDC: .*numbers are refused/),
        expect.stringMatching(new RegExp(`dailyTokens\\.${USDC}: a cap keyed by address must be in base units`)),
      ]),
    )
    const ok = BotConfigSchema.parse(chain({ USDC: '500', DAI: { raw: '5' }, [USDC]: '1000000 wei' }))
    expect(ok.chains[0]!.caps.dailyTokens).toEqual({ USDC: '500', DAI: '5 wei', [USDC]: '1000000 wei' })
  })
})
