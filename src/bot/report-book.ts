// The address book reports format with, derived from the config alone (no RPC): built-in, `addressBook:` or devnet.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createAddressBook } from '../../protocols/address-book/index.ts'
import type { AddressBook } from '../../protocols/types.ts'
import type { BotConfig } from '../config/schema.ts'
import { devnetBook, loadDevnetAddresses } from '../devnet/devnet-addresses.ts'
import type { ReportBook } from './report-format.ts'

/**
 * The book for reading transactions of this config's state: the built-in book with `chains[].book` overrides on
 * real chains, the `addressBook:` file, or the embedded devnet's addresses file beside the state (written when it
 * last started). A file that cannot be read leaves addresses unnamed rather than failing a read command.
 */
export function reportBookOf(config: BotConfig, book?: AddressBook): ReportBook {
  const nativeSymbols = Object.fromEntries(config.chains.map((c) => [String(c.id), c.nativeSymbol]))
  return { book: book ?? configBook(config), nativeSymbols }
}

function configBook(config: BotConfig): AddressBook {
  const file = config.devnet.embedded
    ? join(dirname(config.store.path), 'devnet', 'addresses.json')
    : config.addressBook
  if (!file) return createAddressBook(config.chains)
  if (!existsSync(file)) return {}
  try {
    return devnetBook(loadDevnetAddresses(file))
  } catch {
    return {}
  }
}
