// Turns an event into one HTTP request per channel type: signed JSON webhook, Telegram, Discord, Slack.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { AppError } from '../errors/app-error.ts'
import { registerSecret, registerUrlSecrets } from '../logging/redact.ts'
import type { ChannelConfig } from './config-schema.ts'
import { renderText, type NotifyEvent } from './events.ts'

/** Header names of the signed webhook. */
export const WEBHOOK_HEADERS = {
  signature: 'x-airdrops-signature',
  timestamp: 'x-airdrops-timestamp',
  delivery: 'x-airdrops-delivery',
} as const

/** One request ready to send; `url` may hold a secret (token, webhook path) and must never be logged. */
export interface ChannelRequest {
  url: string
  headers: Record<string, string>
  body: string
}

/** A configured channel with its secrets resolved from the environment. */
export interface Channel {
  name: string
  type: ChannelConfig['type']
  config: ChannelConfig
  /** Builds the request for one outbox row (`deliveryId` is stable across retries). */
  request(event: NotifyEvent, deliveryId: number, nowMs: number): ChannelRequest
}

/** Raised when a channel's env var is missing or malformed; names the field and the variable. */
export class NotifyConfigError extends AppError {
  override name = 'NotifyConfigError' as const
}

const DISCORD_MAX = 2_000
const TELEGRAM_MAX = 4_096

function readEnv(env: Record<string, string | undefined>, channel: string, field: string, varName: string): string {
  const v = env[varName]?.trim()
  if (!v) {
    throw new NotifyConfigError(
      'NOTIFY_ENV_MISSING',
      `notify channel "${channel}": ${field} names env var ${varName}, which is not set`,
      {
        hint: `export ${varName}=... before starting the bot, or remove the channel`,
        details: { channel, field, env: varName },
      },
    )
  }
  return v
}

function readUrl(env: Record<string, string | undefined>, channel: string, field: string, varName: string): string {
  const v = readEnv(env, channel, field, varName)
  let ok = false
  try {
    ok = ['http:', 'https:'].includes(new URL(v).protocol)
  } catch {
    ok = false
  }
  if (!ok) {
    throw new NotifyConfigError(
      'NOTIFY_ENV_URL',
      `notify channel "${channel}": env var ${varName} (${field}) is not an http(s) URL`,
      { hint: `set ${varName} to the full webhook URL`, details: { channel, field, env: varName } },
    )
  }
  registerUrlSecrets(v)
  return v
}

/** Signs `timestamp.body` with HMAC-SHA256; the header value is `sha256=<hex>`. */
export function signWebhook(secret: string, timestampSec: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex')}`
}

/**
 * Verifies a webhook as a receiver should: the signature over `timestamp.body`, and a timestamp no older than
 * `toleranceSec` (a captured request replayed later is refused). Constant-time comparison.
 */
export function verifyWebhook(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  body: string,
  nowMs = Date.now(),
  toleranceSec = 300,
): boolean {
  const ts = Number(headers.timestamp)
  if (!headers.signature || !Number.isInteger(ts) || Math.abs(nowMs / 1_000 - ts) > toleranceSec) return false
  const want = Buffer.from(signWebhook(secret, ts, body))
  const got = Buffer.from(headers.signature)
  return want.length === got.length && timingSafeEqual(want, got)
}

/** Resolves a configured channel's secrets from `env` and returns its request builder. Fails on a missing variable. */
export function createChannel(
  config: ChannelConfig,
  env: Record<string, string | undefined>,
  prefix = 'airdrops',
): Channel {
  const base = { name: config.name, type: config.type, config }
  const json = { 'content-type': 'application/json' }
  switch (config.type) {
    case 'webhook': {
      const url = readUrl(env, config.name, 'urlEnv', config.urlEnv)
      const secret = readEnv(env, config.name, 'secretEnv', config.secretEnv)
      if (secret.length < 16) {
        throw new NotifyConfigError(
          'NOTIFY_SECRET_SHORT',
          `notify channel "${config.name}": the signing key in ${config.secretEnv} is shorter than 16 characters`,
          {
            hint: `set ${config.secretEnv} to a random value, e.g. \`openssl rand -hex 32\``,
            details: { channel: config.name, env: config.secretEnv },
          },
        )
      }
      registerSecret(secret)
      return {
        ...base,
        request(e, id, nowMs) {
          const ts = Math.floor(nowMs / 1_000)
          const body = JSON.stringify({
            id,
            source: prefix,
            kind: e.kind,
            severity: e.severity,
            title: e.title,
            action: e.action,
            text: renderText(e, prefix),
            at: new Date(e.at).toISOString(),
            fields: e.fields,
          })
          return {
            url,
            body,
            headers: {
              ...json,
              [WEBHOOK_HEADERS.timestamp]: String(ts),
              [WEBHOOK_HEADERS.delivery]: String(id),
              [WEBHOOK_HEADERS.signature]: signWebhook(secret, ts, body),
            },
          }
        },
      }
    }
    case 'telegram': {
      const token = readEnv(env, config.name, 'tokenEnv', config.tokenEnv)
      registerSecret(token)
      const chatId = config.chatIdEnv ? readEnv(env, config.name, 'chatIdEnv', config.chatIdEnv) : String(config.chatId)
      const url = `${config.apiBase.replace(/\/+$/, '')}/bot${token}/sendMessage`
      return {
        ...base,
        request: (e) => ({
          url,
          headers: json,
          body: JSON.stringify({
            chat_id: chatId,
            text: renderText(e, prefix).slice(0, TELEGRAM_MAX),
            disable_web_page_preview: true,
          }),
        }),
      }
    }
    case 'discord': {
      const url = readUrl(env, config.name, 'urlEnv', config.urlEnv)
      // No pings: a message text (a job id, say) must never mention @everyone.
      return {
        ...base,
        request: (e) => ({
          url,
          headers: json,
          body: JSON.stringify({
            content: renderText(e, prefix).slice(0, DISCORD_MAX),
            allowed_mentions: { parse: [] },
          }),
        }),
      }
    }
    case 'slack': {
      const url = readUrl(env, config.name, 'urlEnv', config.urlEnv)
      return {
        ...base,
        request: (e) => ({ url, headers: json, body: JSON.stringify({ text: renderText(e, prefix) }) }),
      }
    }
  }
}
