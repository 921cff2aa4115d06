// A real Aave V3 market on an anvil with chain id 8453 whose Pool proxy and PoolDataProvider sit at Base's canonical addresses.
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  stringToHex,
  type Abi,
  type Address,
  type Hash,
  type Hex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { builtinChainData } from '../../../protocols/address-book/index.ts'
import { AppError } from '../../errors/app-error.ts'
import { anvilRpc } from '../anvil.ts'
import { aaveArtifact, type AaveContract } from '../devnet-aave-artifacts.ts'
import type { AaveV3Addresses } from '../devnet-aave-v3.ts'
import {
  LOGIC_LIBRARIES,
  oracleArgs,
  reserveInit,
  reserveRiskCalls,
  strategyArgs,
  type ReserveSymbol,
} from '../aave-v3-reserves.ts'
import { ownArtifact } from '../devnet-artifacts.ts'
import type { Artifact } from '../devnet-artifacts.ts'

/** What the canonical market is built from. */
export interface AaveV3CanonicalInput {
  /** An anvil started with `--chain-id 8453` (the book's canonical addresses are Base's). */
  rpcUrl: string
  /** Funded key that deploys and owns the market (PoolAddressesProvider owner, ACL and pool admin). */
  deployerKey: Hex
  /** The chain's WETH and USDC (18 and 6 decimals), wherever they are. */
  weth: Address
  usdc: Address
  /** USD feeds (8 decimals, AggregatorV3) for the oracle; when absent, devnet feeds at ETH = 3000 are deployed. */
  feeds?: { ETH_USD: Address; USDC_USD: Address }
}

/** Where the market ended up: the canonical Pool and data provider, everything else wherever it was deployed. */
export type AaveV3CanonicalMarket = AaveV3Addresses

const CHAIN_ID = 8453
const GAS = 8_000_000n
/** EIP-1967 implementation slot: must be empty at the canonical Pool so the provider can initialise it. */
const IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'

/**
 * Builds a real Aave V3 market (the published @aave/core-v3 bytecode, linked as on the devnet) for WETH and USDC
 * on an anvil with chain id 8453, with the Pool proxy and AaveProtocolDataProvider at the addresses the built-in
 * book lists for Base, so the aave-v3 adapter works through the book unchanged. aTokens and debt tokens keep the
 * pool address as an immutable, so the proxy is placed at its canonical address (`anvil_setCode` with the
 * runtime code of a proxy whose immutable admin is the addresses provider), registered with
 * `setAddress(POOL, ...)` and initialised by the provider's own `setPoolImpl` before any reserve exists. The
 * canonical addresses must hold no state; their code is replaced. No liquidity is seeded.
 */
export async function deployAaveV3Canonical(i: AaveV3CanonicalInput): Promise<AaveV3CanonicalMarket> {
  const canonical = canonicalAddresses()
  const chain = defineChain({
    id: CHAIN_ID,
    name: 'base (anvil)',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [i.rpcUrl] } },
  })
  const client = createPublicClient({ chain, transport: http(i.rpcUrl), cacheTime: 0, pollingInterval: 20 })
  const chainId = await client.getChainId()
  if (chainId !== CHAIN_ID)
    throw new AppError('AAVE_CANONICAL_CHAIN', `rpcUrl serves chain ${chainId}, not ${CHAIN_ID}`, {
      hint: 'start anvil with --chain-id 8453',
    })
  const account = privateKeyToAccount(i.deployerKey)
  const wallet = createWalletClient({ account, chain, transport: http(i.rpcUrl) })
  const confirm = async (hash: Hash, what: string) => {
    const r = await client.waitForTransactionReceipt({ hash, pollingInterval: 20, timeout: 30_000 })
    if (r.status !== 'success') throw new AppError('AAVE_CANONICAL_SETUP', `${what} reverted in ${hash}`)
    return r
  }
  const deploy = async (a: Artifact, args: readonly unknown[] = [], what = 'deploy'): Promise<Address> => {
    const hash = await wallet.deployContract({ abi: a.abi, bytecode: a.bytecode, args, gas: GAS })
    return getAddress((await confirm(hash, what)).contractAddress!)
  }
  const call = async (to: Address, abi: Abi, functionName: string, args: readonly unknown[] = []) => {
    await confirm(await wallet.writeContract({ address: to, abi, functionName, args, gas: GAS }), functionName)
  }
  const art = (n: AaveContract, libs?: Record<string, Address>) => aaveArtifact(n, libs)
  const place = async (at: Address, from: Address) => {
    const code = await client.getCode({ address: from })
    if (!code || code === '0x') throw new AppError('AAVE_CANONICAL_SETUP', `no code at ${from} to copy to ${at}`)
    await anvilRpc(i.rpcUrl, 'anvil_setCode', [at, code])
  }

  const me = account.address
  const providerAbi = art('PoolAddressesProvider').abi
  const provider = await deploy(art('PoolAddressesProvider'), ['Airdrops mainnet-shaped Base', me])
  await call(provider, providerAbi, 'setACLAdmin', [me])
  const acl = await deploy(art('ACLManager'), [provider])
  await call(provider, providerAbi, 'setACLManager', [acl])
  await call(acl, art('ACLManager').abi, 'addPoolAdmin', [me])
  const libs: Record<string, Address> = {}
  for (const lib of LOGIC_LIBRARIES) libs[lib] = await deploy(art(lib))
  libs.FlashLoanLogic = await deploy(art('FlashLoanLogic', libs))

  // The Pool: a proxy with the provider as its immutable admin, its runtime code placed at the canonical address.
  const template = await deploy(art('InitializableImmutableAdminUpgradeabilityProxy'), [provider])
  await place(canonical.pool, template)
  await anvilRpc(i.rpcUrl, 'anvil_setStorageAt', [canonical.pool, IMPLEMENTATION_SLOT, `0x${'0'.repeat(64)}`])
  await call(provider, providerAbi, 'setAddress', [stringToHex('POOL', { size: 32 }), canonical.pool])
  const poolImpl = await deploy(art('Pool', libs), [provider])
  // The proxy is registered, so the provider upgrades it to the implementation and calls initialize(provider).
  await call(provider, providerAbi, 'setPoolImpl', [poolImpl])
  await call(provider, providerAbi, 'setPoolConfiguratorImpl', [await deploy(art('PoolConfigurator', libs))])
  const configurator = (await client.readContract({
    address: provider,
    abi: providerAbi,
    functionName: 'getPoolConfigurator',
  })) as Address

  const feeds = i.feeds ?? {
    ETH_USD: await deploy(ownArtifact('PriceFeed'), [8, 'ETH / USD', 3000n * 10n ** 8n]),
    USDC_USD: await deploy(ownArtifact('PriceFeed'), [8, 'USDC / USD', 10n ** 8n]),
  }
  const oracle = await deploy(art('AaveOracle'), oracleArgs(provider, i, feeds))
  await call(provider, providerAbi, 'setPriceOracle', [oracle])
  // The data provider keeps only the provider (immutable): its runtime code works at any address.
  await place(canonical.dataProvider, await deploy(art('AaveProtocolDataProvider'), [provider]))
  await call(provider, providerAbi, 'setPoolDataProvider', [canonical.dataProvider])

  const reserves = await initReserves(
    { deploy, call, art: (n) => art(n, libs) },
    { pool: canonical.pool, provider, configurator, treasury: me, weth: i.weth, usdc: i.usdc },
  )
  const dp = art('AaveProtocolDataProvider').abi
  const out = {} as AaveV3Addresses['reserves']
  for (const [symbol, asset] of Object.entries(reserves) as ['WETH' | 'USDC', Address][]) {
    const [aToken, stableDebtToken, variableDebtToken] = (await client.readContract({
      address: canonical.dataProvider,
      abi: dp,
      functionName: 'getReserveTokensAddresses',
      args: [asset],
    })) as [Address, Address, Address]
    out[symbol] = { aToken, stableDebtToken, variableDebtToken }
  }
  return {
    aaveV3PoolAddressesProvider: provider,
    aaveV3Pool: canonical.pool,
    aaveV3PoolConfigurator: configurator,
    aaveV3AclManager: acl,
    aaveV3Oracle: oracle,
    aaveV3PoolDataProvider: canonical.dataProvider,
    reserves: out,
  }
}

/** Base's Pool and data provider as the generated built-in book lists them. */
function canonicalAddresses(): { pool: Address; dataProvider: Address } {
  const c = builtinChainData(CHAIN_ID)?.contracts
  const pool = c?.aaveV3Pool?.address
  const dataProvider = c?.aaveV3PoolDataProvider?.address
  if (!pool || !dataProvider)
    throw new AppError('AAVE_CANONICAL_BOOK', 'the built-in book lists no Aave V3 Pool or data provider for 8453', {
      hint: 'run `npm run gen-address-book`',
    })
  return { pool: getAddress(pool), dataProvider: getAddress(dataProvider) }
}

type Steps = {
  deploy(a: Artifact, args?: readonly unknown[]): Promise<Address>
  call(to: Address, abi: Abi, functionName: string, args?: readonly unknown[]): Promise<void>
  art(n: AaveContract): Artifact
}

/** Token implementations bound to the canonical pool, then WETH and USDC listed with the devnet's risk and rates. */
async function initReserves(
  s: Steps,
  m: { pool: Address; provider: Address; configurator: Address; treasury: Address; weth: Address; usdc: Address },
): Promise<Record<'WETH' | 'USDC', Address>> {
  const impls = {
    aToken: await s.deploy(s.art('AToken'), [m.pool]),
    stableDebt: await s.deploy(s.art('StableDebtToken'), [m.pool]),
    variableDebt: await s.deploy(s.art('VariableDebtToken'), [m.pool]),
  }
  const cfg = s.art('PoolConfigurator').abi
  const assets = { WETH: m.weth, USDC: m.usdc }
  for (const [symbol, asset] of Object.entries(assets) as [ReserveSymbol, Address][]) {
    const strategy = await s.deploy(s.art('DefaultReserveInterestRateStrategy'), strategyArgs(m.provider, symbol))
    const naming = { market: 'Base', prefix: 'Bas' }
    await s.call(m.configurator, cfg, 'initReserves', [
      [reserveInit({ impls, symbol, asset, strategy, treasury: m.treasury, naming })],
    ])
    for (const [fn, args] of reserveRiskCalls(asset, symbol)) await s.call(m.configurator, cfg, fn, args)
  }
  return { WETH: m.weth, USDC: m.usdc }
}
