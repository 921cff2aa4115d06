// Places real contract bytecode at one chain's canonical addresses from the built-in book, then seeds pools through them.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import {
  getAddress,
  maxUint256,
  multicall3Abi,
  parseEther,
  parseUnits,
  zeroAddress,
  type Abi,
  type Address,
  type Hex,
} from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import type { BuiltinChainData } from '../../../protocols/address-book/index.ts'
import { AppError } from '../../errors/app-error.ts'
import { createSetupBatch, type DevnetChain } from '../devnet.ts'
import { ownArtifact, uniswapArtifact, type Artifact } from '../devnet-artifacts.ts'
import { assertPoolInitCodeHash, sqrtPriceX96, uniswapV3Artifact } from '../devnet-uniswap-v3.ts'
import { placeAtCanonical, type Placement } from './place-code.ts'

const require = createRequire(import.meta.url)

/** What the shaped chain carries at one book entry: its book name, address and the artifact placed there. */
export interface CarriedEntry {
  name: string
  address: Address
  artifact: string
}

/** Book entries the shaped chains do not carry, with the reason (tests assert exactly this list). */
export const NOT_CARRIED: Readonly<Record<string, string>> = {
  aaveV3Pool: 'Aave V3 is carried on Base only (aave-step.ts); Ethereum (1) has no Aave market',
  aaveV3PoolDataProvider: 'Aave V3 is carried on Base only (aave-step.ts); Ethereum (1) has no Aave market',
  aaveV3Oracle: 'the market uses its own oracle at a new address; only the Pool and data provider are canonical',
  aaveV3PoolAddressesProvider: 'the provider sits at a new address; only the Pool and data provider are canonical',
  'optimismPortal.10': 'deposits arrive through the L1StandardBridge and the local relayer; no portal is modelled',
  'optimismPortal.8453': 'deposits arrive through the L1StandardBridge and the local relayer; no portal is modelled',
  acrossSpokePool:
    'Across runs on the two-chain devnet (its own SpokePools and relayer); the shaped pair bridges over the OP bridge',
  'l1StandardBridge.10': 'OP Mainnet (10) is not one of the shaped chains; only Base (8453) is',
}

/** Pool seeding at ETH = 3000 USDC: Uniswap V2 WETH/USDC and a full-range Uniswap V3 0.05% pool. */
export const SHAPED_SEED = {
  v2Eth: parseEther('1000'),
  v2Usdc: parseUnits('3000000', 6),
  v3Weth: parseEther('300'),
  v3Usdc: parseUnits('900000', 6),
  v3Fee: 500,
  ethUsd: 3000n * 10n ** 8n,
}

function peripheryArtifact(name: 'Quoter'): Artifact {
  const path = require.resolve(`@uniswap/v3-periphery/artifacts/contracts/lens/${name}.sol/${name}.json`)
  const json = JSON.parse(readFileSync(path, 'utf8')) as { abi: Abi; bytecode: Hex }
  return { abi: json.abi, bytecode: json.bytecode }
}

/**
 * Multicall3 as deployed on every chain: viem publishes its creation code (for deployless multicall reads) but
 * does not export it from a public entry, so it is read from viem's own constants file.
 */
function multicall3Artifact(): Artifact {
  const file = join(dirname(require.resolve('viem')), '..', '_esm', 'constants', 'contracts.js')
  const code = /multicall3Bytecode = '(0x[0-9a-f]+)'/.exec(readFileSync(file, 'utf8'))?.[1]
  if (!code) throw new AppError('MAINNET_SHAPED', `viem's Multicall3 creation code was not found in ${file}`)
  return { abi: multicall3Abi, bytecode: code as Hex }
}

const weth9Abi = [
  { type: 'function', name: 'deposit', inputs: [], outputs: [], stateMutability: 'payable' },
] as const satisfies Abi

/**
 * Deploys each contract the chain's book lists (and the shaped chain models) at a scratch address, with every
 * constructor argument already canonical, moves it to its canonical address, then creates and funds the V2 pair
 * and the V3 pool through the canonical factory, router and position manager, so the pair and pool land at the
 * CREATE2 addresses the periphery computes. `relayer` is the L2 bridge's relayer (L2 chains only).
 */
export async function shapeChain(
  c: DevnetChain,
  data: BuiltinChainData,
  deployer: PrivateKeyAccount,
  relayer: Address,
): Promise<CarriedEntry[]> {
  assertPoolInitCodeHash()
  const s = createSetupBatch(c, deployer)
  const canon = (name: string): Address | undefined => {
    const a = data.contracts[name]?.address ?? data.tokens[name]?.address
    return a ? getAddress(a) : undefined
  }
  const need = (name: string): Address => {
    const a = canon(name)
    if (!a) throw new AppError('MAINNET_SHAPED', `chain ${data.chainId}: the built-in book has no "${name}"`)
    return a
  }
  const weth = need('weth')
  const placements: Placement[] = []
  const carried: CarriedEntry[] = []
  const place = (name: string, artifact: Artifact, label: string, args: readonly unknown[] = []) => {
    const to = canon(name)
    if (!to) return
    if (!carried.some((e) => e.address === to)) placements.push({ from: s.deploy(artifact, args), to, label: name })
    carried.push({ name, address: to, artifact: label })
  }
  place('weth', uniswapArtifact('WETH9'), 'WETH9 (@uniswap/v2-periphery)')
  for (const [symbol, t] of Object.entries(data.tokens)) {
    if (getAddress(t.address) === weth) carried.push({ name: symbol, address: weth, artifact: 'WETH9' })
    else place(symbol, ownArtifact('TestERC20'), `TestERC20 ${t.decimals} decimals`, [t.name, symbol, t.decimals])
  }
  place('multicall3', multicall3Artifact(), 'Multicall3 (creation code published in viem)')
  place('uniswapV2Factory', uniswapArtifact('UniswapV2Factory'), 'UniswapV2Factory (@uniswap/v2-core)', [
    deployer.address,
  ])
  place('uniswapV2Router02', uniswapArtifact('UniswapV2Router02'), 'UniswapV2Router02 (@uniswap/v2-periphery)', [
    need('uniswapV2Factory'),
    weth,
  ])
  const v3Factory = need('uniswapV3Factory')
  const npm = need('nonfungiblePositionManager')
  place('uniswapV3Factory', uniswapV3Artifact('UniswapV3Factory'), 'UniswapV3Factory (@uniswap/v3-core)')
  place('quoterV2', uniswapV3Artifact('QuoterV2'), 'QuoterV2 (@uniswap/v3-periphery)', [v3Factory, weth])
  place('quoter', peripheryArtifact('Quoter'), 'Quoter (@uniswap/v3-periphery)', [v3Factory, weth])
  place('nonfungiblePositionManager', uniswapV3Artifact('NonfungiblePositionManager'), 'NonfungiblePositionManager', [
    v3Factory,
    weth,
    zeroAddress,
  ])
  place('swapRouter02', uniswapV3Artifact('SwapRouter02'), 'SwapRouter02 (@uniswap/swap-router-contracts)', [
    need('uniswapV2Factory'),
    v3Factory,
    npm,
    weth,
  ])
  for (const name of Object.keys(data.contracts).filter((n) => n.startsWith('l1StandardBridge.'))) {
    if (!(name in NOT_CARRIED)) place(name, ownArtifact('L1StandardBridge'), 'L1StandardBridge (devnet stand-in)')
  }
  place('l2StandardBridge', ownArtifact('L2StandardBridge'), 'L2StandardBridge (devnet stand-in)', [relayer])
  const feed = data.priceFeeds.ETH_USD
  if (feed) {
    placements.push({
      from: s.deploy(ownArtifact('PriceFeed'), [8, 'ETH / USD', SHAPED_SEED.ethUsd]),
      to: getAddress(feed.address),
      label: 'ETH_USD',
    })
    carried.push({ name: 'priceFeeds.ETH_USD', address: getAddress(feed.address), artifact: 'PriceFeed (stand-in)' })
  }
  await s.sendAndConfirm()
  await placeAtCanonical(c.rpcUrl, placements)
  await seedPools(c, deployer, s.nextNonce(), { weth, usdc: need('USDC'), npm, router: need('uniswapV2Router02') })
  return carried
}

async function seedPools(
  c: DevnetChain,
  deployer: PrivateKeyAccount,
  nonce: number,
  a: { weth: Address; usdc: Address; npm: Address; router: Address },
): Promise<void> {
  const s = createSetupBatch(c, deployer, nonce)
  const token = ownArtifact('TestERC20').abi
  const me = deployer.address
  const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600)
  s.call(a.usdc, token, 'mint', [me, SHAPED_SEED.v2Usdc + SHAPED_SEED.v3Usdc])
  s.call(a.usdc, token, 'approve', [a.router, maxUint256])
  s.call(
    a.router,
    uniswapArtifact('UniswapV2Router02').abi,
    'addLiquidityETH',
    [a.usdc, SHAPED_SEED.v2Usdc, SHAPED_SEED.v2Usdc, SHAPED_SEED.v2Eth, me, deadline],
    SHAPED_SEED.v2Eth,
  )
  s.call(a.weth, weth9Abi, 'deposit', [], SHAPED_SEED.v3Weth)
  s.call(a.weth, token, 'approve', [a.npm, maxUint256])
  s.call(a.usdc, token, 'approve', [a.npm, maxUint256])
  await s.sendAndConfirm()
  // The V3 pool's creation is heavy; sent one by one as the devnet does, so no transaction is parked.
  const v3 = createSetupBatch(c, deployer, s.nextNonce())
  const npmAbi = uniswapV3Artifact('NonfungiblePositionManager').abi
  const flip = BigInt(a.weth) > BigInt(a.usdc)
  const [token0, token1] = flip ? [a.usdc, a.weth] : [a.weth, a.usdc]
  const [amount0, amount1] = flip ? [SHAPED_SEED.v3Usdc, SHAPED_SEED.v3Weth] : [SHAPED_SEED.v3Weth, SHAPED_SEED.v3Usdc]
  v3.call(a.npm, npmAbi, 'createAndInitializePoolIfNecessary', [
    token0,
    token1,
    SHAPED_SEED.v3Fee,
    sqrtPriceX96(amount0, amount1),
  ])
  const edge = Math.floor(887272 / 10) * 10
  v3.call(a.npm, npmAbi, 'mint', [
    {
      token0,
      token1,
      fee: SHAPED_SEED.v3Fee,
      tickLower: -edge,
      tickUpper: edge,
      amount0Desired: amount0,
      amount1Desired: amount1,
      amount0Min: 0n,
      amount1Min: 0n,
      recipient: deployer.address,
      deadline,
    },
  ])
  await v3.sendOneByOne()
}
