// Local two-chain devnet: anvil L1 (31337) + L2 (31338), real Uniswap v2/v3 and WETH9 bytecode, test tokens, vault, feeds, bridge, relayer.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { keccak256, maxUint256, parseEther, parseUnits, toHex, type Address, type Hex } from 'viem'
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { AppError } from '../errors/app-error.ts'
import type { AddressBook } from '../../protocols/types.ts'
import { devnetBook, type DevnetAddresses } from './devnet-addresses.ts'
import { ANVIL_TEST_KEYS, anvilRpc, startAnvil, type AnvilInstance } from './anvil.ts'
import { ownArtifact, uniswapArtifact } from './devnet-artifacts.ts'
import { queueAaveV3Market } from './devnet-aave-v3.ts'
import type { Relayer } from './relayer.ts'
import { startDevnetRelayers } from './devnet-relayers.ts'
import { startRelayersThread, type RelayersThread } from './relayers-thread.ts'
import { queueUniswapV3 } from './devnet-uniswap-v3.ts'
import type { AcrossRelayer } from './across-relayer.ts'
import { deployAcross } from './devnet-across.ts'
import { deployL2Defi } from './devnet-l2-defi.ts'
import { chainOf, createSetupBatch, type DevnetChain } from './setup-batch.ts'

export { chainOf, createSetupBatch, type DevnetChain }

export type { DevnetAddresses }

/** Default chain ids: anvil's usual 31337 for L1, the next one for L2. */
export const DEVNET_L1_CHAIN_ID = 31337
export const DEVNET_L2_CHAIN_ID = 31338
/** Deterministic devnet-only relayer key (keccak of a label); not one of anvil's accounts, so tests never race it. */
export const DEVNET_RELAYER_KEY = keccak256(toHex('airdrops devnet relayer')) as Hex
/** Deterministic devnet-only key that deploys the Across SpokePools (their admin) and fills Across deposits. */
export const DEVNET_ACROSS_RELAYER_KEY = keccak256(toHex('airdrops devnet across relayer')) as Hex

/** Options for startDevnet. */
export interface DevnetOptions {
  l1ChainId?: number
  l2ChainId?: number
  /** Where to write the addresses JSON; `null` writes nothing. Default `.state/devnet/addresses.json`. */
  addressesPath?: string | null
  /** Start the L1->L2 relayer and the Across relayer (default true). */
  relayer?: boolean
  /**
   * Run the relayers in a worker thread (the bot's embedded devnet: their polling then never stalls the scheduler's
   * thread); `relayer` and `acrossRelayer` are then absent, as `tick()` cannot reach into the thread.
   */
  relayerThread?: boolean
  relayerPollMs?: number
  /** Poll interval of the Across relayer; default `relayerPollMs`, else 250 ms. */
  acrossRelayerPollMs?: number
  onRelayerError?: (err: unknown) => void
  /**
   * Deploy the Aave V3 market (WETH, USDC) on L1, and Uniswap V3 (WETH/USDC pools) plus the same market on L2
   * (default false: it adds ~1 s and ~50 setup transactions on L1, ~70 on L2, deployed in parallel).
   */
  aaveV3?: boolean
}

/** A test account (anvil's well-known keys: devnet only). */
export interface DevnetAccount {
  address: Address
  privateKey: Hex
}

/** The running devnet. */
export interface Devnet {
  l1: DevnetChain
  l2: DevnetChain
  addresses: DevnetAddresses
  /** The same addresses as an adapter address book. */
  book: AddressBook
  /** anvil accounts 0..4; 0 deployed everything, owns the feeds and keeps 1,000,000 USDC and DAI on L1; 1..4 are untouched. */
  accounts: DevnetAccount[]
  relayer: Relayer | undefined
  /** Fills Across deposits in both directions (absent when `relayer: false`). */
  acrossRelayer: AcrossRelayer | undefined
  /** Milliseconds from "both anvils answer" to "everything deployed and funded". */
  setupMs: number
  /** Stops the relayer and both anvils; safe to call twice. */
  stop(): Promise<void>
}

/** Pool seeding: 1000 ETH against 3,000,000 of each stable (ETH = 3000), and 1,000,000 USDC/DAI; the deployer keeps `spare`. */
const SEED = {
  eth: parseEther('1000'),
  usdc: parseUnits('3000000', 6),
  dai: parseUnits('3000000', 18),
  pairUsdc: parseUnits('1000000', 6),
  pairDai: parseUnits('1000000', 18),
  spareUsdc: parseUnits('1000000', 6),
  spareDai: parseUnits('1000000', 18),
}

/**
 * Starts both chains, deploys every contract and seeds liquidity, then starts the relayer. On any failure both
 * anvils are stopped before the error is thrown.
 */
export async function startDevnet(opts: DevnetOptions = {}): Promise<Devnet> {
  const l1ChainId = opts.l1ChainId ?? DEVNET_L1_CHAIN_ID
  const l2ChainId = opts.l2ChainId ?? DEVNET_L2_CHAIN_ID
  const anvils = await Promise.allSettled([startAnvil({ chainId: l1ChainId }), startAnvil({ chainId: l2ChainId })])
  const started = anvils.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const failed = anvils.find((r) => r.status === 'rejected')
  if (failed) {
    await Promise.all(started.map((a) => a.stop()))
    throw failed.reason
  }
  const [l1Anvil, l2Anvil] = started as [AnvilInstance, AnvilInstance]
  let relayer: Relayer | undefined
  let acrossRelayer: AcrossRelayer | undefined
  let relayersThread: RelayersThread | undefined
  try {
    const l1 = chainOf(l1Anvil, 'devnet-l1')
    const l2 = chainOf(l2Anvil, 'devnet-l2')
    const t0 = performance.now()
    const deployerKey = ANVIL_TEST_KEYS[0]
    const deployer = privateKeyToAccount(deployerKey)
    const relayerAccount = privateKeyToAccount(DEVNET_RELAYER_KEY)
    const acrossAccount = privateKeyToAccount(DEVNET_ACROSS_RELAYER_KEY)
    // L2 tokens need the L1 token addresses, which are known as soon as their deploys are sent.
    let tokensSent!: (t: L1Tokens) => void
    const l1TokensKnown = new Promise<L1Tokens>((resolve) => {
      tokensSent = resolve
    })
    const [l1Addrs, l2Addrs] = await Promise.all([
      deployL1(l1, deployer, tokensSent, opts.aaveV3 === true),
      // The L2 bridge pays ETH deposits out of the relayer's balance, so give it far more than tests deposit.
      anvilRpc(l2.rpcUrl, 'anvil_setBalance', [relayerAccount.address, toHex(parseEther('10000000'))]).then(() =>
        deployL2(l2, deployer, relayerAccount, l1TokensKnown, opts.aaveV3 === true),
      ),
      ...[l1, l2].map((c) =>
        anvilRpc(c.rpcUrl, 'anvil_setBalance', [acrossAccount.address, toHex(parseEther('10000000'))]),
      ),
    ])
    const across = await deployAcross({
      l1: createSetupBatch(l1, acrossAccount),
      l2: createSetupBatch(l2, acrossAccount),
      relayer: acrossAccount.address,
      l1Weth: l1Addrs.weth,
      l2Weth: l2Addrs.weth,
      l1Tokens: l1Addrs.tokens,
      l2Tokens: l2Addrs.tokens,
      l1StandardBridge: l1Addrs.l1StandardBridge,
    })
    const setupMs = performance.now() - t0
    const addresses: DevnetAddresses = {
      l1: { chainId: l1ChainId, rpcUrl: l1.rpcUrl, ...l1Addrs, acrossSpokePool: across.l1 },
      l2: { chainId: l2ChainId, rpcUrl: l2.rpcUrl, ...l2Addrs, acrossSpokePool: across.l2 },
      relayer: relayerAccount.address,
      acrossRelayer: acrossAccount.address,
      deployer: deployer.address,
    }
    const relayerOptions = {
      relayerKey: DEVNET_RELAYER_KEY,
      acrossRelayerKey: DEVNET_ACROSS_RELAYER_KEY,
      relayerPollMs: opts.relayerPollMs,
      acrossRelayerPollMs: opts.acrossRelayerPollMs,
      onError: opts.onRelayerError,
    }
    if (opts.relayer !== false && opts.relayerThread === true) {
      relayersThread = await startRelayersThread(addresses, relayerOptions)
    } else if (opts.relayer !== false) {
      ;({ relayer, acrossRelayer } = startDevnetRelayers(addresses, relayerOptions))
    }
    const path = opts.addressesPath === undefined ? '.state/devnet/addresses.json' : opts.addressesPath
    if (path !== null) {
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, `${JSON.stringify(addresses, null, 2)}\n`)
    }
    const accounts = ANVIL_TEST_KEYS.map((k) => ({ privateKey: k as Hex, address: privateKeyToAccount(k).address }))
    let stopping: Promise<void> | undefined
    return {
      l1,
      l2,
      addresses,
      book: devnetBook(addresses),
      accounts,
      relayer,
      acrossRelayer,
      setupMs,
      stop: () =>
        (stopping ??= (async () => {
          await Promise.all([relayer?.stop(), acrossRelayer?.stop(), relayersThread?.stop()])
          await Promise.all([l1Anvil.stop(), l2Anvil.stop()])
        })()),
    }
  } catch (err) {
    await Promise.all([relayer?.stop(), acrossRelayer?.stop(), relayersThread?.stop()])
    await Promise.all([l1Anvil.stop(), l2Anvil.stop()])
    throw err instanceof AppError
      ? err
      : new AppError('DEVNET_SETUP', `devnet setup failed: ${(err as Error).message}`, { cause: err })
  }
}

type L1Tokens = { USDC: Address; DAI: Address }

async function deployL1(c: DevnetChain, deployer: PrivateKeyAccount, onTokens: (t: L1Tokens) => void, aave: boolean) {
  const s = createSetupBatch(c, deployer)
  const token = ownArtifact('TestERC20')
  const router = uniswapArtifact('UniswapV2Router02')
  const feed = ownArtifact('PriceFeed')
  const weth = s.deploy(uniswapArtifact('WETH9'))
  const uniswapV2Factory = s.deploy(uniswapArtifact('UniswapV2Factory'), [deployer.address])
  const uniswapV2Router02 = s.deploy(router, [uniswapV2Factory, weth])
  const USDC = s.deploy(token, ['USD Coin (devnet)', 'USDC', 6])
  const DAI = s.deploy(token, ['Dai (devnet)', 'DAI', 18])
  onTokens({ USDC, DAI })
  const vUSDC = s.deploy(ownArtifact('TestVault'), [USDC, 'Vault USDC (devnet)', 'vUSDC'])
  const ETH_USD = s.deploy(feed, [8, 'ETH / USD', 3000n * 10n ** 8n])
  const USDC_USD = s.deploy(feed, [8, 'USDC / USD', 10n ** 8n])
  const l1StandardBridge = s.deploy(ownArtifact('L1StandardBridge'))
  const me = deployer.address
  s.call(USDC, token.abi, 'mint', [me, SEED.usdc + SEED.pairUsdc + SEED.spareUsdc])
  s.call(DAI, token.abi, 'mint', [me, SEED.dai + SEED.pairDai + SEED.spareDai])
  s.call(USDC, token.abi, 'approve', [uniswapV2Router02, maxUint256])
  s.call(DAI, token.abi, 'approve', [uniswapV2Router02, maxUint256])
  const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600)
  s.call(
    uniswapV2Router02,
    router.abi,
    'addLiquidityETH',
    [USDC, SEED.usdc, SEED.usdc, SEED.eth, me, deadline],
    SEED.eth,
  )
  s.call(uniswapV2Router02, router.abi, 'addLiquidityETH', [DAI, SEED.dai, SEED.dai, SEED.eth, me, deadline], SEED.eth)
  s.call(uniswapV2Router02, router.abi, 'addLiquidity', [
    USDC,
    DAI,
    SEED.pairUsdc,
    SEED.pairDai,
    SEED.pairUsdc,
    SEED.pairDai,
    me,
    deadline,
  ])
  // Deployed last so every earlier address stays what it was.
  const multicall = s.deploy(ownArtifact('Multicall'))
  const aaveV3 = aave
    ? queueAaveV3Market(s, {
        deployer: me,
        weth,
        usdc: USDC,
        tokenAbi: token.abi,
        wethAbi: uniswapArtifact('WETH9').abi,
        feeds: { ETH_USD, USDC_USD },
      })
    : undefined
  await s.sendAndConfirm()
  // Uniswap V3's heavy transactions, batched, often trip the parking quirk (a 6 s stall): send them one by one.
  const v3 = createSetupBatch(c, deployer, s.nextNonce())
  const uniswapV3 = queueUniswapV3(v3, {
    deployer: me,
    weth,
    uniswapV2Factory,
    tokens: { USDC, DAI },
    tokenAbi: token.abi,
  })
  await v3.sendOneByOne()
  return {
    weth,
    uniswapV2Factory,
    uniswapV2Router02,
    l1StandardBridge,
    multicall,
    uniswapV3,
    ...(aaveV3 ? { aaveV3 } : {}),
    tokens: { USDC, DAI },
    vaults: { vUSDC },
    priceFeeds: { ETH_USD, USDC_USD },
  }
}

async function deployL2(
  c: DevnetChain,
  deployer: PrivateKeyAccount,
  relayer: PrivateKeyAccount,
  l1Tokens: Promise<L1Tokens>,
  aave: boolean,
) {
  const s = createSetupBatch(c, deployer)
  const mintable = ownArtifact('L2MintableERC20')
  const feed = ownArtifact('PriceFeed')
  const weth = s.deploy(uniswapArtifact('WETH9'))
  const l2StandardBridge = s.deploy(ownArtifact('L2StandardBridge'), [relayer.address])
  const remote = await l1Tokens
  const USDC = s.deploy(mintable, [l2StandardBridge, remote.USDC, 'USD Coin (devnet L2)', 'USDC', 6])
  const DAI = s.deploy(mintable, [l2StandardBridge, remote.DAI, 'Dai (devnet L2)', 'DAI', 18])
  const multicall = s.deploy(ownArtifact('Multicall'))
  // The L2 Aave oracle's feeds; deployed last so every earlier address stays what it was.
  const ETH_USD = s.deploy(feed, [8, 'ETH / USD', 3000n * 10n ** 8n])
  const USDC_USD = s.deploy(feed, [8, 'USDC / USD', 10n ** 8n])
  await s.sendAndConfirm()
  const priceFeeds = { ETH_USD, USDC_USD }
  // Uniswap V3 and Aave on the L2 come with the Aave option: they add ~70 setup transactions to this chain.
  const defi = aave
    ? await deployL2Defi({
        deployer: deployer.address,
        deployerBatch: (nonce) => createSetupBatch(c, deployer, nonce),
        relayerBatch: () => createSetupBatch(c, relayer),
        nextNonce: s.nextNonce(),
        weth,
        l2StandardBridge,
        tokens: { USDC, DAI },
        remoteTokens: remote,
        feeds: priceFeeds,
        aaveV3: true,
      })
    : {}
  return { weth, l2StandardBridge, multicall, tokens: { USDC, DAI }, priceFeeds, ...defi }
}
