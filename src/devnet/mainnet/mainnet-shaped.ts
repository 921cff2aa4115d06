// A local Ethereum (chain id 1) + Base (8453) pair with real bytecode at the built-in book's canonical addresses.
import { createWalletClient, http, keccak256, parseEther, toHex, type Address, type Hex } from 'viem'
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { builtinChainData, createAddressBook } from '../../../protocols/address-book/index.ts'
import type { AddressBook } from '../../../protocols/types.ts'
import { AppError } from '../../errors/app-error.ts'
import { anvilRpc, startAnvil, type AnvilInstance } from '../anvil.ts'
import { chainOf, DEVNET_RELAYER_KEY, type DevnetChain } from '../devnet.ts'
import { startRelayer, type Relayer } from '../relayer.ts'
import { aaveV3OnBaseStep } from './aave-step.ts'
import { shapeChain, type CarriedEntry } from './shaped-chain.ts'

/** Chain ids of the shaped pair: Ethereum and its OP-Stack L2 Base. */
export const SHAPED_L1_CHAIN_ID = 1
export const SHAPED_L2_CHAIN_ID = 8453
/** Initial base fee of the Base stand-in: 0.01 gwei. */
export const SHAPED_L2_BASE_FEE = 10_000_000n
/** Deterministic key (keccak of a label) that deploys and seeds the shaped chains; local chains only. */
export const SHAPED_DEPLOYER_KEY = keccak256(toHex('airdrops mainnet-shaped deployer')) as Hex

/** What an extra setup step (e.g. Aave V3 at its canonical addresses) gets to work with. */
export interface MainnetShapedContext {
  l1: DevnetChain
  l2: DevnetChain
  /** Funded on both chains; its next nonce is read from the chain (the core setup used the first ones). */
  deployer: PrivateKeyAccount
  /** The built-in book of both chains (what the shaped chain places contracts for). */
  book: AddressBook
}

/** One extra setup step, run after the core contracts are placed and before the relayer starts. */
export type MainnetShapedStep = (ctx: MainnetShapedContext) => Promise<StepCarried | void>

/** Book entries a step placed, by chain id (added to `carried`, so the code-at-every-address test checks them). */
export type StepCarried = Record<number, CarriedEntry[]>

/** Options for startMainnetShaped. */
export interface MainnetShapedOptions {
  /** Extra placement steps, in order, after the built-in ones; each may throw to fail the whole setup. */
  steps?: MainnetShapedStep[]
  /** Put a real Aave V3 market behind Base's canonical Pool and data provider (default true; ~50 setup txs). */
  aaveV3?: boolean
  /** Start the L1 -> L2 relayer so deposits arrive on Base (default true). */
  relayer?: boolean
  relayerPollMs?: number
  onRelayerError?: (err: unknown) => void
  /** Seconds between blocks (interval mining), for long-lived chains whose head must stay fresh; default automine. */
  blockTime?: number
}

/** The running shaped pair. */
export interface MainnetShaped {
  l1: DevnetChain
  l2: DevnetChain
  /** The built-in book for chains 1 and 8453, exactly as a real-chain config gets it. */
  book: AddressBook
  /** Book entries with code, per chain id (the rest is in NOT_CARRIED with the reason). */
  carried: Record<number, CarriedEntry[]>
  deployer: Address
  relayer: Relayer | undefined
  /** Milliseconds from "both anvils answer" to "everything placed and seeded". */
  setupMs: number
  /** Stops the relayer and both anvils; safe to call twice. */
  stop(): Promise<void>
}

/**
 * Starts anvil with chain id 1 and one with 8453, places WETH9, token stand-ins, Multicall, Uniswap V2 and V3
 * and the OP bridge pair at the canonical addresses of the built-in book on both, seeds WETH/USDC liquidity
 * through the canonical contracts, runs `steps`, and relays L1StandardBridge deposits to Base. On failure
 * both anvils are stopped before the error is thrown.
 */
export async function startMainnetShaped(opts: MainnetShapedOptions = {}): Promise<MainnetShaped> {
  const started = await Promise.allSettled(
    // Base's base fee is far below Ethereum's (configs cap it at fractions of a gwei): start it near its real level.
    [SHAPED_L1_CHAIN_ID, SHAPED_L2_CHAIN_ID].map((chainId) =>
      startAnvil({ chainId, ...(chainId === SHAPED_L2_CHAIN_ID ? { baseFee: SHAPED_L2_BASE_FEE } : {}) }),
    ),
  )
  const anvils = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const failed = started.find((r) => r.status === 'rejected')
  if (failed) {
    await Promise.all(anvils.map((a) => a.stop()))
    throw failed.reason
  }
  const [l1Anvil, l2Anvil] = anvils as [AnvilInstance, AnvilInstance]
  let relayer: Relayer | undefined
  const stopAll = async () => {
    await relayer?.stop()
    await Promise.all([l1Anvil.stop(), l2Anvil.stop()])
  }
  try {
    const l1 = chainOf(l1Anvil, 'ethereum-shaped')
    const l2 = chainOf(l2Anvil, 'base-shaped')
    const t0 = performance.now()
    const deployer = privateKeyToAccount(SHAPED_DEPLOYER_KEY)
    const relayerAccount = privateKeyToAccount(DEVNET_RELAYER_KEY)
    await Promise.all([
      anvilRpc(l1.rpcUrl, 'anvil_setBalance', [deployer.address, toHex(parseEther('10000000'))]),
      anvilRpc(l2.rpcUrl, 'anvil_setBalance', [deployer.address, toHex(parseEther('10000000'))]),
      // The L2 bridge pays ETH deposits out of the relayer's balance, as the devnet's does.
      anvilRpc(l2.rpcUrl, 'anvil_setBalance', [relayerAccount.address, toHex(parseEther('10000000'))]),
    ])
    const [c1, c2] = await Promise.all(
      [l1, l2].map((c) => shapeChain(c, builtinData(c.chainId), deployer, relayerAccount.address)),
    )
    const book = createAddressBook([{ id: SHAPED_L1_CHAIN_ID }, { id: SHAPED_L2_CHAIN_ID }])
    const carried: Record<number, CarriedEntry[]> = { [SHAPED_L1_CHAIN_ID]: c1!, [SHAPED_L2_CHAIN_ID]: c2! }
    const builtin: MainnetShapedStep[] = opts.aaveV3 === false ? [] : [aaveV3OnBaseStep(SHAPED_DEPLOYER_KEY)]
    for (const step of [...builtin, ...(opts.steps ?? [])]) {
      const placed = await step({ l1, l2, deployer, book })
      for (const [id, entries] of Object.entries(placed ?? {})) carried[Number(id)]?.push(...entries)
    }
    const setupMs = performance.now() - t0
    // Setup runs automined (fast); a long-lived pair then mines on an interval so heads stay fresh.
    if (opts.blockTime)
      await Promise.all([l1, l2].map((c) => anvilRpc(c.rpcUrl, 'evm_setIntervalMining', [opts.blockTime])))
    if (opts.relayer !== false) {
      relayer = startRelayer({
        l1: l1.client,
        l2: l2.client,
        l2Wallet: createWalletClient({ account: relayerAccount, chain: l2.chain, transport: http(l2.rpcUrl) }),
        l1Bridge: book[SHAPED_L1_CHAIN_ID]!.contracts[`l1StandardBridge.${SHAPED_L2_CHAIN_ID}`]!,
        l2Bridge: book[SHAPED_L2_CHAIN_ID]!.contracts.l2StandardBridge!,
        pollMs: opts.relayerPollMs,
        onError: opts.onRelayerError,
      })
    }
    let stopping: Promise<void> | undefined
    return {
      l1,
      l2,
      book,
      carried,
      deployer: deployer.address,
      relayer,
      setupMs,
      stop: () => (stopping ??= stopAll()),
    }
  } catch (err) {
    await stopAll()
    throw err instanceof AppError
      ? err
      : new AppError('MAINNET_SHAPED', `mainnet-shaped setup failed: ${(err as Error).message}`, { cause: err })
  }
}

function builtinData(chainId: number) {
  const data = builtinChainData(chainId)
  if (!data) throw new AppError('MAINNET_SHAPED', `chain ${chainId} is not in the built-in address book`)
  return data
}
