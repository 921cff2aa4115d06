// Wallet addresses read without any passphrase: the configured address, a keystore's public address, a key's address.
import { getAddress, type Address, type Hex } from 'viem'
import { keystoreAddress } from '../chain/keyless-account.ts'
import { privateKeyToAccount } from 'viem/accounts'
import type { ConfigIssue } from '../config/errors.ts'
import type { BotConfig } from '../config/schema.ts'
import { ANVIL_TEST_KEYS } from '../devnet/anvil.ts'

/**
 * Each wallet's address for read-only checks: `address:` when given, else the `address` field of its keystore
 * (public, no passphrase needed), else the address of the key in its env var, else the devnet account's. A wallet
 * whose address cannot be known this way is a problem with its fix; no key is kept or shown.
 */
export function walletAddresses(
  config: BotConfig,
  env: Record<string, string | undefined>,
): { addresses: Map<string, Address>; issues: ConfigIssue[] } {
  const addresses = new Map<string, Address>()
  const issues: ConfigIssue[] = []
  for (const [i, w] of config.wallets.entries()) {
    let address: Address | undefined
    if (w.address) address = getAddress(w.address)
    else if (w.keystore) address = readableKeystoreAddress(w.keystore)
    else if (w.privateKeyEnv) address = keyAddress(env[w.privateKeyEnv])
    else if (w.devnetAccount !== undefined) address = keyAddress(ANVIL_TEST_KEYS[w.devnetAccount])
    if (address) addresses.set(w.name, address)
    else
      issues.push({
        path: `wallets[${i}]`,
        message: `the address of wallet "${w.name}" cannot be read without its key`,
        fix: `add address: "0x..." to wallets[${i}] (or set ${w.privateKeyEnv ?? 'its key source'})`,
      })
  }
  return { addresses, issues }
}

/** The keystore's public address, or undefined when the file or its `address` field cannot be read. */
function readableKeystoreAddress(path: string): Address | undefined {
  try {
    return keystoreAddress(path)
  } catch {
    return undefined
  }
}

function keyAddress(key: string | undefined): Address | undefined {
  if (!key) return undefined
  try {
    return privateKeyToAccount((key.startsWith('0x') ? key : `0x${key}`) as Hex).address
  } catch {
    return undefined
  }
}
