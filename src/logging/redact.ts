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
  return text
    .replace(URL_WITH_CREDENTIALS, '$1[redacted]@')
    .replace(URL_PATH_OR_QUERY, (_m, scheme: string, host: string, rest: string) =>
      rest && rest !== '/' ? `${scheme}://${host}/[redacted]` : `${scheme}://${host}${rest}`)
    .replace(BEARER, '$1[redacted]')
    .replace(PRIVATE_KEY, '[redacted-hex32]')
}
