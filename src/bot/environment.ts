// Resolves where the bot runs: the embedded devnet or configured chains, their clients, wallets and address book.
import type { Address, LocalAccount, PublicClient } from 'viem'
import { parseEther, parseUnits } from 'viem'
import { createChainClient } from '../chain/clients.ts'
import { createRpcCounter, type RpcCounter } from '../chain/rpc-counter.ts'
import { accountFromKey, loadSigner } from '../chain/signer.ts'
import { walletWithoutKey } from './keyless-wallets.ts'
import type { SpendPolicy } from '../chain/spend-policy.ts'
import type { BotConfig } from '../config/schema.ts'
import { AppError } from '../errors/app-error.ts'
import type { AddressBook } from '../../protocols/types.ts'
import { resolveTokenCaps } from './token-caps.ts'
import { createAddressBook } from '../../protocols/address-book/index.ts'
import { ANVIL_TEST_KEYS } from '../devnet/anvil.ts'
import type { Devnet } from '../devnet/devnet.ts'

/** One chain the bot talks to. */
export interface BotChain {
  chainId: number
  name: string
  client: PublicClient
  confirmations: number
  /** Hard cap on maxFeePerGas for anything the engine signs on this chain (wei). */
  maxFeePerGas: bigint
  policy: SpendPolicy
}

/** Everything resolved from config (and the devnet, when embedded) before the runtime starts. */
export interface BotEnvironment {
  chains: BotChain[]
  /** Signers by wallet name. */
  wallets: Map<string, LocalAccount>
  book: AddressBook
  devnet: Devnet | undefined
  /** JSON-RPC requests sent per chain and method. */
  rpcCalls: RpcCounter
  /** Stops what the environment started (the devnet). */
  close(): Promise<void>
}

/** Options for resolving the environment. */
export interface EnvironmentOptions {
  /** Directory for devnet addresses and other generated files. */
  stateDir: string
  /** A running devnet to attach to instead of starting one (it is not stopped at close): a restart on the same chains. */
  devnet?: Devnet
  /** RPC URL overrides per chain id (dry-run forks). */
  rpcOverrides?: Record<number, string>
  promptPassphrase?: (path: string) => Promise<string>
  /**
   * Dry run on impersonating forks: a wallet whose address is known without a secret (`address`, or a keystore's
   * `address` field) gets a keyless account and no key is read; other wallets load their key as usual.
   */
  keyless?: boolean
  env?: NodeJS.ProcessEnv
}

const DEVNET_FEE_CAP = parseUnits('200', 9)

/** Starts the embedded devnet when configured so, then builds clients, signers and policies. */
export async function resolveEnvironment(config: BotConfig, options: EnvironmentOptions): Promise<BotEnvironment> {
  let devnet: Devnet | undefined = options.devnet
  if (config.devnet.embedded && !options.rpcOverrides && !devnet) {
    const { startDevnet } = await import('../devnet/devnet.ts')
    const [l1, l2] = config.devnet.chains
    // The Aave V3 market adds ~50 setup transactions: deployed only when the config uses the adapter.
    const aaveV3 = Object.hasOwn(config.protocols, 'aave-v3')
    devnet = await startDevnet({
      l1ChainId: l1,
      l2ChainId: l2,
      addressesPath: `${options.stateDir}/devnet/addresses.json`,
      // The relayers poll both anvils several times a second: in their own thread, not the scheduler's.
      relayerThread: true,
      aaveV3,
    })
  }
  try {
    const wallets = await loadWallets(config, options)
    const own = [...wallets.values()].map((a) => a.address)
    const chains: BotChain[] = []
    const rpcCalls = createRpcCounter()
    const book: AddressBook = devnet
      ? devnet.book
      : config.addressBook
        ? await readAddressBook(config.addressBook)
        : createAddressBook(config.chains)
    if (config.devnet.embedded) {
      for (const chainId of config.devnet.chains.slice(0, 2)) {
        const rpcUrl =
          options.rpcOverrides?.[chainId] ?? (chainId === devnet?.l1.chainId ? devnet.l1.rpcUrl : devnet?.l2.rpcUrl)
        if (!rpcUrl) throw new AppError('DEVNET_CHAIN', `no RPC for devnet chain ${chainId}`)
        const multicall =
          chainId === devnet?.l1.chainId ? devnet.addresses.l1.multicall : devnet?.addresses.l2.multicall
        const client = createChainClient({
          chainId,
          rpcUrls: [rpcUrl],
          name: `devnet-${chainId}`,
          pollingIntervalMs: 50,
          multicall,
          onRequest: rpcCalls.hook(chainId),
        })
        chains.push({
          chainId,
          name: `devnet-${chainId}`,
          client,
          confirmations: 1,
          maxFeePerGas: DEVNET_FEE_CAP,
          policy: devnetPolicy(chainId, book, own),
        })
      }
    } else {
      for (const [i, c] of config.chains.entries()) {
        const urls = options.rpcOverrides?.[c.id] ? [options.rpcOverrides[c.id]!] : c.rpcUrls
        const client = createChainClient({
          chainId: c.id,
          rpcUrls: urls,
          name: c.name,
          nativeSymbol: c.nativeSymbol,
          multicall: c.multicall as Address | undefined,
          rpcBatchSize: c.rpcBatchSize,
          onRequest: rpcCalls.hook(c.id),
        })
        const cap = c.maxFeePerGas ?? config.risk.maxGasPrice
        chains.push({
          chainId: c.id,
          name: c.name,
          client,
          confirmations: c.confirmations,
          maxFeePerGas: cap,
          policy: {
            chainId: c.id,
            maxFeePerGas: cap,
            maxValuePerTx: c.caps.maxValuePerTx,
            dailyNativeCap: c.caps.dailyNative,
            dailyTokenCaps: resolveTokenCaps(c.caps.dailyTokens, book[c.id], `chains[${i}].caps.dailyTokens`),
            contracts: c.allowlist as Address[],
            spenders: c.allowlist as Address[],
            ownWallets: own,
          },
        })
      }
    }
    let closed: Promise<void> | undefined
    return {
      chains,
      wallets,
      book,
      devnet,
      rpcCalls,
      close: () => (closed ??= devnet && !options.devnet ? devnet.stop() : Promise.resolve()),
    }
  } catch (err) {
    await devnet?.stop()
    throw err
  }
}

/** Devnet caps: generous but finite, every devnet contract allowlisted, each devnet token capped. */
export function devnetPolicy(chainId: number, book: AddressBook, own: Address[]): SpendPolicy {
  const entry = book[chainId]
  const contracts = entry
    ? [
        ...Object.values(entry.contracts),
        ...Object.values(entry.vaults ?? {}),
        ...Object.values(entry.tokens).map((t) => t.address),
      ]
    : []
  const tokenCaps: Record<string, bigint> = {}
  for (const t of Object.values(entry?.tokens ?? {})) tokenCaps[t.address] = parseUnits('1000000', t.decimals)
  if (entry?.contracts.weth) tokenCaps[entry.contracts.weth] = parseEther('1000')
  for (const v of Object.values(entry?.vaults ?? {})) tokenCaps[v] = parseUnits('1000000', 18)
  return {
    chainId,
    maxFeePerGas: DEVNET_FEE_CAP,
    maxValuePerTx: parseEther('100'),
    dailyNativeCap: parseEther('1000'),
    dailyTokenCaps: tokenCaps,
    contracts,
    spenders: contracts,
    ownWallets: own,
  }
}

/** Reads a devnet addresses JSON (as `bot devnet` / startDevnet write it) into an adapter address book. */
async function readAddressBook(path: string): Promise<AddressBook> {
  const { devnetBook, loadDevnetAddresses } = await import('../devnet/devnet-addresses.ts')
  try {
    return devnetBook(loadDevnetAddresses(path))
  } catch (cause) {
    throw new AppError('ADDRESS_BOOK', `cannot read the address book ${path}`, {
      cause,
      hint: 'point addressBook at the addresses JSON the devnet wrote',
    })
  }
}

async function loadWallets(config: BotConfig, options: EnvironmentOptions): Promise<Map<string, LocalAccount>> {
  const out = new Map<string, LocalAccount>()
  for (const w of config.wallets) {
    let account: LocalAccount
    const keyless = walletWithoutKey(w, options.keyless === true)
    if (keyless) {
      out.set(w.name, keyless)
      continue
    }
    if (w.devnetAccount !== undefined) {
      const key = ANVIL_TEST_KEYS[w.devnetAccount]
      if (!key)
        throw new AppError('WALLET_DEVNET', `wallets.${w.name}.devnetAccount ${w.devnetAccount} does not exist`, {
          hint: `use 0..${ANVIL_TEST_KEYS.length - 1}`,
        })
      account = accountFromKey(key, `devnet account ${w.devnetAccount}`)
    } else if (w.privateKeyEnv) {
      account = await loadSigner({ type: 'env', envVar: w.privateKeyEnv }, { env: options.env })
    } else if (w.keystore) {
      account = await loadSigner(
        { type: 'keystore', path: w.keystore!, passphraseEnvVar: 'BOT_KEYSTORE_PASSPHRASE' },
        { env: options.env, promptPassphrase: options.promptPassphrase },
      )
    } else {
      // Address only: fail closed outside a dry run on forks (the plan check already refused a live run).
      throw new AppError('WALLET_NO_KEY', `wallet "${w.name}" has an address but no key source`, {
        hint: 'address-only wallets run only with `--dry-run` on a fork; add `keystore` or `privateKeyEnv` to send',
      })
    }
    if (w.address && w.address.toLowerCase() !== account.address.toLowerCase()) {
      throw new AppError(
        'WALLET_ADDRESS_MISMATCH',
        `wallet "${w.name}" key belongs to ${account.address}, not the configured ${w.address}`,
        { hint: 'fix the address or the key source of this wallet' },
      )
    }
    out.set(w.name, account)
  }
  return out
}
