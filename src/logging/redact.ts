// Scrubs secrets out of free text: private keys, credentials and API keys in URLs, bearer tokens.

const PRIVATE_KEY = /\b(0x)?[0-9a-fA-F]{64}\b/g
const URL_WITH_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@]+@)/gi
const URL_PATH_OR_QUERY = /\b(https?|wss?):\/\/([^\s/?#]+)([^\s"'<>]*)/gi
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g

/**
 * Returns `text` with anything that looks like a 32-byte hex secret, URL credentials, URL paths and query
 * strings (where providers put API keys) and bearer tokens replaced. Hosts stay so errors remain useful.
 * Transaction hashes are 32 bytes too and are scrubbed as well: logs carry them as structured fields instead.
 */
export function redactSecrets(text: string): string {
  return redactKnown(text)
    .replace(URL_WITH_CREDENTIALS, '$1[redacted]@')
    .replace(URL_PATH_OR_QUERY, (_m, scheme: string, host: string, rest: string) =>
      rest && rest !== '/' ? `${scheme}://${host}/[redacted]` : `${scheme}://${host}${rest}`,
    )
    .replace(BEARER, '$1[redacted]')
    .replace(PRIVATE_KEY, '[redacted-hex32]')
}

/** Scrubs only URL credentials, paths and query strings (where API keys live); leaves hex such as tx hashes. */
export function redactUrls(text: string): string {
  return redactKnown(text)
    .replace(URL_WITH_CREDENTIALS, '$1[redacted]@')
    .replace(URL_PATH_OR_QUERY, (_m, scheme: string, host: string, rest: string) =>
      rest && rest !== '/' ? `${scheme}://${host}/[redacted]` : `${scheme}://${host}${rest}`,
    )
}

// Secrets the process knows (parts of configured RPC URLs): scrubbed wherever they appear, even echoed back by
// a node in free text, where no pattern could recognise them. Values only; never logged or exported.
const knownSecrets = new Set<string>()
let knownSorted: string[] = []

/** Registers a secret value (8+ characters) so every later `redactSecrets`/`redactUrls` call removes it. */
export function registerSecret(value: string): void {
  if (value.length < 8 || knownSecrets.has(value)) return
  knownSecrets.add(value)
  knownSorted = [...knownSecrets].sort((a, b) => b.length - a.length)
}

/**
 * Registers the secret-bearing parts of a URL: user and password, path segments and query values of 8+
 * characters (where providers put API keys), and the whole path+query.
 */
export function registerUrlSecrets(url: string): void {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    registerSecret(url)
    return
  }
  for (const part of [u.username, u.password, decodeURIComponent(u.username), decodeURIComponent(u.password)])
    registerSecret(part)
  for (const seg of u.pathname.split('/')) registerSecret(seg)
  for (const [, v] of u.searchParams) registerSecret(v)
  if (u.pathname.length > 1 || u.search) registerSecret(`${u.pathname}${u.search}`)
}

function redactKnown(text: string): string {
  let out = text
  for (const s of knownSorted) if (out.includes(s)) out = out.split(s).join('[redacted]')
  return out
}
