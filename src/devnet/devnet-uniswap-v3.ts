// Uniswap V3 on the devnet L1: real factory, SwapRouter02, QuoterV2 and NonfungiblePositionManager bytecode, seeded pools.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import {
  encodeAbiParameters,
  getContractAddress,
  keccak256,
  parseEther,
  parseUnits,
  zeroAddress,
  type Abi,
  type Address,
  type Hex,
} from 'viem'
import { AppError } from '../errors/app-error.ts'
import type { Artifact } from './devnet-artifacts.ts'

const require = createRequire(import.meta.url)

/** The published artifacts deployed as they are (hardhat `artifacts/` of the npm packages). */
const ARTIFACTS = {
  UniswapV3Factory: '@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json',
  UniswapV3Pool: '@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json',
  NonfungiblePositionManager:
    '@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json',
  QuoterV2: '@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json',
  SwapRouter02: '@uniswap/swap-router-contracts/artifacts/contracts/SwapRouter02.sol/SwapRouter02.json',
} as const

/** Names of the Uniswap V3 contracts taken from the npm artifacts. */
export type UniswapV3Contract = keyof typeof ARTIFACTS

const cache = new Map<string, Artifact & { deployedBytecode: Hex }>()

/** ABI, creation and runtime bytecode of one published Uniswap V3 artifact (no linking needed for these five). */
export function uniswapV3Artifact(name: UniswapV3Contract): Artifact & { deployedBytecode: Hex } {
  let a = cache.get(name)
  if (!a) {
    const json = JSON.parse(readFileSync(require.resolve(ARTIFACTS[name]), 'utf8')) as {
      abi: Abi
      bytecode: Hex
      deployedBytecode: Hex
    }
    a = { abi: json.abi, bytecode: json.bytecode, deployedBytecode: json.deployedBytecode }
    cache.set(name, a)
  }
  return a
}

/** The POOL_INIT_CODE_HASH constant the periphery was compiled with, read from its published PoolAddress.sol. */
export function peripheryPoolInitCodeHash(): Hex {
  const src = readFileSync(require.resolve('@uniswap/v3-periphery/contracts/libraries/PoolAddress.sol'), 'utf8')
  const m = /POOL_INIT_CODE_HASH\s*=\s*(0x[0-9a-fA-F]{64})/.exec(src)
  if (!m)
    throw new AppError('DEVNET_UNISWAP_V3', 'POOL_INIT_CODE_HASH not found in @uniswap/v3-periphery PoolAddress.sol', {
      hint: 'check the installed @uniswap/v3-periphery version',
    })
  return m[1]!.toLowerCase() as Hex
}

/**
 * Fails loudly unless keccak256 of the pool creation code the factory deploys equals the hash the periphery
 * derives pool addresses with, and that hash is compiled into the router, quoter and position manager: a
 * mismatch makes every periphery call go to an empty address instead of the pool.
 */
export function assertPoolInitCodeHash(poolCreationCode: Hex = uniswapV3Artifact('UniswapV3Pool').bytecode): Hex {
  const expected = peripheryPoolInitCodeHash()
  const actual = keccak256(poolCreationCode)
  if (actual !== expected) {
    throw new AppError(
      'DEVNET_UNISWAP_V3',
      `UniswapV3Pool creation code hashes to ${actual}, the periphery expects ${expected}`,
      { hint: 'install @uniswap/v3-core and @uniswap/v3-periphery versions built together (pinned in package.json)' },
    )
  }
  for (const name of ['SwapRouter02', 'QuoterV2', 'NonfungiblePositionManager'] as const) {
    if (!uniswapV3Artifact(name).deployedBytecode.toLowerCase().includes(expected.slice(2))) {
      throw new AppError('DEVNET_UNISWAP_V3', `${name} is not compiled with POOL_INIT_CODE_HASH ${expected}`, {
        hint: `use a ${name} artifact built against the same @uniswap/v3-periphery PoolAddress library`,
      })
    }
  }
  return expected
}

/** The pool address the periphery computes: CREATE2 by the factory, salt keccak256(token0, token1, fee). */
export function computePoolAddress(
  factory: Address,
  tokenA: Address,
  tokenB: Address,
  fee: number,
  initCodeHash: Hex = peripheryPoolInitCodeHash(),
): Address {
  const [t0, t1] = sortTokens(tokenA, tokenB)
  const salt = keccak256(
    encodeAbiParameters([{ type: 'address' }, { type: 'address' }, { type: 'uint24' }], [t0, t1, fee]),
  )
  return getContractAddress({ opcode: 'CREATE2', from: factory, salt, bytecodeHash: initCodeHash })
}

/** Deployed Uniswap V3 addresses (address-book names). */
export interface UniswapV3Deployment {
  uniswapV3Factory: Address
  swapRouter02: Address
  quoterV2: Address
  nonfungiblePositionManager: Address
}

/** The queueing half of the devnet's setup batch (scripts/devnet.ts): deploys and calls signed in nonce order. */
export interface SetupQueue {
  deploy(a: Artifact, args?: readonly unknown[]): Address
  call(to: Address, abi: Abi, functionName: string, args: readonly unknown[], value?: bigint): void
}

/** Seeded full-range pools: ETH = 3000 USDC in two fee tiers (the 0.05% one deeper), USDC = DAI at 0.01%. No DAI/WETH pool. */
export const UNISWAP_V3_POOLS = [
  { a: 'WETH', b: 'USDC', fee: 500, amountA: parseEther('300'), amountB: parseUnits('900000', 6) },
  { a: 'WETH', b: 'USDC', fee: 3000, amountA: parseEther('100'), amountB: parseUnits('300000', 6) },
  { a: 'USDC', b: 'DAI', fee: 100, amountA: parseUnits('1000000', 6), amountB: parseUnits('1000000', 18) },
] as const

const TICK_SPACING: Record<number, number> = { 100: 1, 500: 10, 3000: 60, 10000: 200 }
const MAX_TICK = 887272

/**
 * Queues the V3 deployment and liquidity on the devnet L1 batch: factory (plus the 0.01% tier), QuoterV2,
 * NonfungiblePositionManager, SwapRouter02, then each pool created, initialized at the seeded price and given
 * full-range liquidity by the deployer through the position manager. The position manager's token descriptor is
 * the zero address: it only serves tokenURI, which nothing on the devnet reads.
 */
export function queueUniswapV3(
  s: SetupQueue,
  o: {
    deployer: Address
    weth: Address
    uniswapV2Factory: Address
    tokens: { USDC: Address; DAI: Address }
    tokenAbi: Abi
    /** Pools to seed (default all of UNISWAP_V3_POOLS). */
    pools?: readonly (typeof UNISWAP_V3_POOLS)[number][]
    /** Mint the stables the pools need (default true); false where the deployer already holds them (L2 bridge tokens). */
    mintStables?: boolean
  },
): UniswapV3Deployment {
  assertPoolInitCodeHash()
  const factory = uniswapV3Artifact('UniswapV3Factory')
  const npm = uniswapV3Artifact('NonfungiblePositionManager')
  const uniswapV3Factory = s.deploy(factory)
  s.call(uniswapV3Factory, factory.abi, 'enableFeeAmount', [100, TICK_SPACING[100]])
  const quoterV2 = s.deploy(uniswapV3Artifact('QuoterV2'), [uniswapV3Factory, o.weth])
  const nonfungiblePositionManager = s.deploy(npm, [uniswapV3Factory, o.weth, zeroAddress])
  const swapRouter02 = s.deploy(uniswapV3Artifact('SwapRouter02'), [
    o.uniswapV2Factory,
    uniswapV3Factory,
    nonfungiblePositionManager,
    o.weth,
  ])
  const addr: Record<string, Address> = { WETH: o.weth, USDC: o.tokens.USDC, DAI: o.tokens.DAI }
  const need: Record<string, bigint> = { WETH: 0n, USDC: 0n, DAI: 0n }
  const pools = o.pools ?? UNISWAP_V3_POOLS
  for (const p of pools) {
    need[p.a]! += p.amountA
    need[p.b]! += p.amountB
  }
  const wethAbi = [
    { type: 'function', name: 'deposit', inputs: [], outputs: [], stateMutability: 'payable' },
  ] as const satisfies Abi
  s.call(o.weth, wethAbi, 'deposit', [], need.WETH!)
  for (const sym of ['USDC', 'DAI'] as const) {
    if (o.mintStables !== false && need[sym]! > 0n) s.call(o.tokens[sym], o.tokenAbi, 'mint', [o.deployer, need[sym]!])
  }
  for (const sym of ['WETH', 'USDC', 'DAI']) {
    if (need[sym]! > 0n) s.call(addr[sym]!, o.tokenAbi, 'approve', [nonfungiblePositionManager, need[sym]!])
  }
  const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600)
  for (const p of pools) {
    const [a, b] = [addr[p.a]!, addr[p.b]!]
    const flip = BigInt(a) > BigInt(b)
    const [token0, token1, amount0, amount1] = flip ? [b, a, p.amountB, p.amountA] : [a, b, p.amountA, p.amountB]
    s.call(nonfungiblePositionManager, npm.abi, 'createAndInitializePoolIfNecessary', [
      token0,
      token1,
      p.fee,
      sqrtPriceX96(amount0, amount1),
    ])
    const spacing = TICK_SPACING[p.fee]!
    const edge = Math.floor(MAX_TICK / spacing) * spacing
    s.call(nonfungiblePositionManager, npm.abi, 'mint', [
      {
        token0,
        token1,
        fee: p.fee,
        tickLower: -edge,
        tickUpper: edge,
        amount0Desired: amount0,
        amount1Desired: amount1,
        amount0Min: 0n,
        amount1Min: 0n,
        recipient: o.deployer,
        deadline,
      },
    ])
  }
  return { uniswapV3Factory, swapRouter02, quoterV2, nonfungiblePositionManager }
}

/** sqrt(amount1 / amount0) in Q64.96: the initial pool price that matches the deposited ratio. */
export function sqrtPriceX96(amount0: bigint, amount1: bigint): bigint {
  return bigintSqrt((amount1 << 192n) / amount0)
}

function bigintSqrt(n: bigint): bigint {
  if (n < 2n) return n
  let x = n
  let y = (x + 1n) / 2n
  while (y < x) {
    x = y
    y = (x + n / x) / 2n
  }
  return x
}

function sortTokens(a: Address, b: Address): [Address, Address] {
  return BigInt(a) < BigInt(b) ? [a, b] : [b, a]
}
