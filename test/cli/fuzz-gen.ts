// Seeded generators for the config fuzz test: random JSON trees and mutations of real configs.

/** A small seeded PRNG (mulberry32) so a failing case can be replayed from its seed. */
export function createRng(seed: number): {
  next(): number
  int(n: number): number
  pick<T>(xs: readonly T[]): T
  chance(p: number): boolean
} {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  return { next, int, pick: (xs) => xs[int(xs.length)] as (typeof xs)[number], chance: (p) => next() < p }
}

type Rng = ReturnType<typeof createRng>

/** Secret canaries: none may ever appear in an error. */
export const CANARY_KEY = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba'
export const CANARY_ENV_VALUE = 'canary-env-secret-7f3e9a'
export const FUZZ_ENV = { FUZZ_SECRET: CANARY_ENV_VALUE, FUZZ_URL: 'https://rpc.example.org', FUZZ_NUM: '12' }

const KEYS = [
  'id',
  'name',
  'rpcUrls',
  'chains',
  'jobs',
  'trigger',
  'type',
  'every',
  'unit',
  'expression',
  'timezone',
  'at',
  'taskType',
  'priority',
  'dependencies',
  'store',
  'path',
  'server',
  'host',
  'port',
  'risk',
  'maxGasPrice',
  'wallets',
  'keystore',
  'privateKeyEnv',
  'devnet',
  'embedded',
  'scheduler',
  'retention',
  'days',
  '__proto__',
  'constructor',
  'preset',
  '',
]
const STRINGS = [
  '',
  ' ',
  'hourly',
  'interval_30m',
  'interval_0m',
  'daily_at_25:00',
  'manual',
  'cron',
  'date',
  'interval',
  '0 9 * * 1-5',
  '* *',
  'Europe/Berlin',
  'Mars/Olympus',
  '2026-13-40T99:00:00Z',
  '30s',
  '-5m',
  '1e9d',
  '30 gwei',
  '0.1',
  '1.0000000000000000001',
  'sqlite',
  'postgres',
  'https://rpc.example.org',
  'ftp://x',
  'not a url',
  '${FUZZ_SECRET}',
  'https://h/${FUZZ_SECRET}',
  '${NOT_SET_ANYWHERE}',
  '${FUZZ_URL}',
  '${FUZZ_NUM}',
  '$${LITERAL}',
  '${',
  '}',
  '\u0000',
  'ünïcödé ✓',
  'a'.repeat(5000),
  CANARY_KEY,
  CANARY_KEY.slice(2),
  'test test test test test test test test test test test junk',
  'critical',
  'lowest',
  'protocol_call',
  '0x000000000000000000000000000000000000dEaD',
  'true',
  'null',
]
const NUMBERS = [0, -1, 1, 2, 0.5, -0.0001, 31337, 65536, 1e21, -1e21, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 1e308]

/** A random JSON value, biased towards config-like keys and strings. */
export function randomValue(r: Rng, depth = 0): unknown {
  const k = r.int(depth > 4 ? 5 : 8)
  switch (k) {
    case 0:
      return r.pick(STRINGS)
    case 1:
      return r.pick(NUMBERS)
    case 2:
      return r.chance(0.5)
    case 3:
      return null
    case 4:
      return r.pick(STRINGS) + r.pick(STRINGS)
    case 5:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1))
    default: {
      const o: Record<string, unknown> = {}
      for (let i = r.int(5); i > 0; i--)
        Object.defineProperty(o, r.pick(KEYS), {
          value: randomValue(r, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      return o
    }
  }
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T
}

/** All container paths of a tree (objects and arrays), for picking a mutation site. */
function containers(
  v: unknown,
  path: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (v !== null && typeof v === 'object') {
    out.push(path)
    for (const [k, x] of Object.entries(v)) containers(x, [...path, Array.isArray(v) ? Number(k) : k], out)
  }
  return out
}

function at(root: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], root)
}

/** Applies 1-4 random mutations (delete, replace, add unknown key, typo a key, nest deeply, duplicate) to a copy. */
export function mutate(base: unknown, r: Rng): unknown {
  const root = { v: clone(base) }
  for (let n = 1 + r.int(4); n > 0; n--) {
    const sites = containers(root).filter((p) => p.length > 0)
    if (sites.length === 0) {
      root.v = randomValue(r)
      continue
    }
    const path = r.pick(sites)
    const node = at(root, path) as Record<string, unknown> | unknown[]
    const keys = Object.keys(node)
    const key = keys.length ? r.pick(keys) : undefined
    const op = r.int(8)
    if (Array.isArray(node)) {
      if (op < 2 && node.length) node.splice(r.int(node.length), 1)
      else if (op < 4 && node.length) node.push(clone(node[r.int(node.length)]))
      else if (op < 6 && node.length) node[r.int(node.length)] = randomValue(r)
      else node.push(randomValue(r))
      continue
    }
    const obj = node as Record<string, unknown>
    if (op === 0 && key) delete obj[key]
    else if (op <= 2 && key) obj[key] = randomValue(r)
    else if (op === 3)
      Object.defineProperty(obj, r.pick(KEYS) + (r.chance(0.5) ? 'x' : ''), {
        value: randomValue(r),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    else if (op === 4 && key) {
      const typo = key.length > 1 ? key.slice(0, -1) : `${key}_`
      obj[typo] = obj[key]
      delete obj[key]
    } else if (op === 5 && key) {
      let deep: unknown = obj[key]
      for (let i = 0; i < 70 + r.int(40); i++) deep = r.chance(0.5) ? [deep] : { n: deep }
      obj[key] = deep
    } else if (op === 6 && key) obj[key] = r.pick(STRINGS)
    else if (key) obj[key] = r.pick(NUMBERS)
  }
  return root.v
}

/** Flips, drops or inserts a few characters of a text (to produce syntax errors and near-misses). */
export function mutateText(text: string, r: Rng): string {
  let t = text
  for (let n = 1 + r.int(3); n > 0; n--) {
    const i = r.int(Math.max(1, t.length))
    const op = r.int(4)
    if (op === 0) t = t.slice(0, i) + t.slice(i + 1)
    else if (op === 1)
      t =
        t.slice(0, i) + r.pick(['{', '}', '"', ',', ':', '[', ']', '\n', '#', '&a', '*a', '!!', ' ', 'x']) + t.slice(i)
    else if (op === 2) t = t.slice(0, i)
    else t = t.slice(0, i) + String.fromCharCode(32 + r.int(95)) + t.slice(i + 1)
  }
  return t
}
