// Which wallets run without a key: dry runs on forks use the address alone; live runs refuse address-only wallets.
import type { LocalAccount } from 'viem'
import { keylessAccount, keystoreAddress } from '../chain/keyless-account.ts'
import type { BotConfig } from '../config/schema.ts'
import type { ConfigIssue } from '../config/errors.ts'
import { AppError } from '../errors/app-error.ts'

type WalletConfig = BotConfig['wallets'][number]

/**
 * The keyless account of a wallet for a dry run on forks, or undefined when its key must be loaded: a wallet with
 * `address` (checked against its keystore's `address` field when both are given) or with a keystore whose
 * address is readable without the passphrase. Devnet accounts and `privateKeyEnv` without `address` load keys.
 */
export function walletWithoutKey(w: WalletConfig, dryRunOnForks: boolean): LocalAccount | undefined {
  if (!dryRunOnForks || w.devnetAccount !== undefined) return undefined
  if (w.keystore) {
    const fromFile = keystoreAddress(w.keystore)
    if (w.address && w.address.toLowerCase() !== fromFile.toLowerCase())
      throw new AppError(
        'WALLET_ADDRESS_MISMATCH',
        `wallet "${w.name}" keystore belongs to ${fromFile}, not the configured ${w.address}`,
        { hint: 'fix the address or the keystore path of this wallet' },
      )
    return keylessAccount(fromFile)
  }
  return w.address ? keylessAccount(w.address as `0x${string}`) : undefined
}

/** Problems of a plan about to send live: every address-only wallet (listed with its path; exit 2). */
export function liveKeyIssues(config: BotConfig): ConfigIssue[] {
  return config.wallets.flatMap((w, i) =>
    w.keystore || w.privateKeyEnv || w.devnetAccount !== undefined
      ? []
      : [
          {
            path: `wallets[${i}]`,
            message: `wallet "${w.name}" has only an address: a live run needs its key ("keystore" or "privateKeyEnv"); address-only wallets run with --dry-run`,
          },
        ],
  )
}
