// API tokens stored only as SHA-256 hashes with a role; tokens from env vars are hashed in memory, never kept.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Db } from '../store/database.ts'
import { AppError } from '../errors/app-error.ts'
import { ROLES, type Role } from './roles.ts'

/** A token as listings show it: never the token or its hash. */
export interface TokenInfo {
  id: string
  name: string
  role: Role
  source: 'db' | 'env'
  createdAt: number | null
  revokedAt: number | null
}

/** A token named in config whose value comes from an environment variable. */
export interface EnvToken {
  name: string
  role: Role
  value: string
}

/** The token store: create (shown once), verify, list, revoke. */
export interface TokenStore {
  create(name: string, role: Role): { token: string; info: TokenInfo }
  /** The token's name and role, or null; every stored hash is compared in constant time. */
  verify(token: string): { name: string; role: Role } | null
  list(): TokenInfo[]
  revoke(name: string): boolean
}

const PREFIX = 'bot_'
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

/** SHA-256 of a token, hex: what the database keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

interface TokenRow {
  id: string
  name: string
  role: Role
  token_hash: string
  created_at: number
  revoked_at: number | null
}

/** Creates the store over migration 0004's `api_tokens` table plus tokens given by environment variables. */
export function createTokenStore(db: Db, envTokens: readonly EnvToken[] = []): TokenStore {
  const fromEnv = envTokens
    .filter((t) => t.value.length > 0)
    .map((t) => ({ ...t, hash: Buffer.from(hashToken(t.value), 'hex') }))
  const active = db.prepare('SELECT * FROM api_tokens WHERE revoked_at IS NULL')
  return {
    create(name, role) {
      if (!NAME.test(name))
        throw new AppError('TOKEN_NAME', `invalid token name "${name.slice(0, 64)}"`, {
          hint: 'use 1-64 letters, digits, "_", "." or "-"',
        })
      if (!ROLES.includes(role))
        throw new AppError('TOKEN_ROLE', `invalid role "${String(role)}"`, { hint: `use one of ${ROLES.join(', ')}` })
      if (db.prepare('SELECT 1 FROM api_tokens WHERE name = ?').get(name) || fromEnv.some((t) => t.name === name)) {
        throw new AppError('TOKEN_EXISTS', `a token named "${name}" already exists`, {
          hint: 'revoke it first or choose another name',
        })
      }
      const token = PREFIX + randomBytes(32).toString('base64url')
      const id = randomBytes(4).toString('hex')
      const createdAt = Date.now()
      db.prepare('INSERT INTO api_tokens (id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
        id,
        name,
        role,
        hashToken(token),
        createdAt,
      )
      return { token, info: { id, name, role, source: 'db', createdAt, revokedAt: null } }
    },
    verify(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 512) return null
      const presented = Buffer.from(hashToken(token), 'hex')
      let found: { name: string; role: Role } | null = null
      // Compare against every candidate without an early exit so timing does not reveal which one matched.
      const candidates = [
        ...fromEnv,
        ...(active.all() as TokenRow[]).map((r) => ({
          name: r.name,
          role: r.role,
          hash: Buffer.from(r.token_hash, 'hex'),
        })),
      ]
      for (const c of candidates)
        if (timingSafeEqual(c.hash, presented) && !found) found = { name: c.name, role: c.role }
      return found
    },
    list() {
      const rows = db.prepare('SELECT * FROM api_tokens ORDER BY created_at').all() as TokenRow[]
      return [
        ...fromEnv.map((t) => ({
          id: 'env',
          name: t.name,
          role: t.role,
          source: 'env' as const,
          createdAt: null,
          revokedAt: null,
        })),
        ...rows.map((r) => ({
          id: r.id,
          name: r.name,
          role: r.role,
          source: 'db' as const,
          createdAt: r.created_at,
          revokedAt: r.revoked_at,
        })),
      ]
    },
    revoke(name) {
      return (
        db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(Date.now(), name)
          .changes > 0
      )
    },
  }
}
