// Finds strings in a config tree that look like secrets (private keys, mnemonics, extended keys) so they are refused.

/** One secret-looking value: where it is and what it looks like; the value itself is never kept. */
export interface SecretFinding {
  path: (string | number)[]
  kind: 'private key' | 'mnemonic' | 'extended private key'
}

const HEX32 = /(?:^|[^0-9a-fA-F])(?:0x)?[0-9a-fA-F]{64}(?![0-9a-fA-F])/
const XPRV = /\b[xyzt]prv[1-9A-HJ-NP-Za-km-z]{100,}\b/
const MNEMONIC_CANDIDATE = /^\s*[a-z]+(?:\s+[a-z]+){11,23}\s*$/
const MNEMONIC_LENGTHS = new Set([12, 15, 18, 21, 24])
const MAX_DEPTH = 64

type Kind = SecretFinding['kind'] | 'mnemonic?'

/** Cheap synchronous classification; `mnemonic?` still needs the BIP-39 word check. */
function classify(text: string): Kind | null {
  if (HEX32.test(text)) return 'private key'
  if (XPRV.test(text)) return 'extended private key'
  if (MNEMONIC_CANDIDATE.test(text) && MNEMONIC_LENGTHS.has(text.trim().split(/\s+/).length)) return 'mnemonic?'
  return null
}

/** True when every word is in the BIP-39 English list (ethers is loaded only when a candidate exists). */
async function isMnemonic(text: string): Promise<boolean> {
  const { LangEn } = await import('ethers')
  const list = LangEn.wordlist()
  return text
    .trim()
    .split(/\s+/)
    .every((w) => list.getWordIndex(w) >= 0)
}

/**
 * Walks `value` (objects, arrays, strings; keys too) and returns every secret-looking string with its dotted
 * path. A 32-byte hex value is refused even where it could be a legitimate bytes32: fail closed.
 */
export async function findSecrets(value: unknown): Promise<SecretFinding[]> {
  const hits: Hit[] = []
  collect(value, [], 0, hits)
  const out: SecretFinding[] = []
  for (const h of hits) {
    if (h.kind !== 'mnemonic?') out.push({ path: h.path, kind: h.kind })
    else if (await isMnemonic(h.text)) out.push({ path: h.path, kind: 'mnemonic' })
  }
  return out
}

interface Hit {
  path: (string | number)[]
  kind: Kind
  text: string
}

function collect(value: unknown, path: (string | number)[], depth: number, hits: Hit[]): void {
  if (depth > MAX_DEPTH) return
  if (typeof value === 'string') {
    const kind = classify(value)
    if (kind) hits.push({ path, kind, text: value })
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => collect(v, [...path, i], depth + 1, hits))
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const kind = classify(k)
      if (kind) hits.push({ path: [...path, '(key)'], kind, text: k })
      collect(v, [...path, k], depth + 1, hits)
    }
  }
}
