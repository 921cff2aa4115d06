// The logger's scrubbing: messages, URL-bearing fields under any key, raw errors anywhere, registered secrets.
import { describe, expect, it } from 'vitest'
import { Writable } from 'node:stream'
import { createLogger } from './logger.ts'
import { redactSecrets, redactUrls, registerUrlSecrets } from './redact.ts'

function capture() {
  const lines: string[] = []
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(c, _e, cb) {
        lines.push(String(c))
        cb()
      },
    }),
  })
  return { logger, lines }
}

describe('logger scrubbing', () => {
  it('scrubs URLs in the message and in fields under any key, but keeps tx hashes in structured fields', () => {
    const { logger, lines } = capture()
    const hash = `0x${'ab'.repeat(32)}`
    logger.info(
      {
        endpoint: 'https://rpc.example/v2/LOGSECRET111',
        nested: { list: ['wss://x.example/?key=LOGSECRET222'] },
        txHash: hash,
      },
      'calling https://rpc.example/v2/LOGSECRET333',
    )
    const out = lines.join('')
    expect(out).not.toMatch(/LOGSECRET/)
    expect(out).toContain('https://rpc.example/[redacted]')
    expect(JSON.parse(out).txHash).toBe(hash)
  })

  it('serializes a raw error logged under an unusual key instead of dumping its fields', () => {
    const { logger, lines } = capture()
    const err = Object.assign(new Error('failed at https://rpc.example/v2/LOGSECRET444'), {
      url: 'https://rpc.example/v2/LOGSECRET444',
    })
    logger.error({ failure: err, err }, 'boom')
    const line = JSON.parse(lines.join(''))
    expect(JSON.stringify(line)).not.toMatch(/LOGSECRET/)
    expect(line.failure.message).toContain('https://rpc.example/[redacted]')
    expect(line.err.type).toBe('Error')
  })

  it('removes registered URL secrets even where they appear without the URL', () => {
    registerUrlSecrets('https://user:PASSWORDSECRET9@rpc.example/v3/REGISTEREDKEY123?apikey=QUERYKEY4567')
    const text = 'node says REGISTEREDKEY123 / QUERYKEY4567 / PASSWORDSECRET9 are bad'
    for (const f of [redactSecrets, redactUrls]) {
      const r = f(text)
      expect(r).not.toMatch(/REGISTEREDKEY123|QUERYKEY4567|PASSWORDSECRET9/)
      expect(r).toContain('node says [redacted]')
    }
    const { logger, lines } = capture()
    logger.info({ note: text }, text)
    expect(lines.join('')).not.toMatch(/REGISTEREDKEY123|QUERYKEY4567|PASSWORDSECRET9/)
  })
})
