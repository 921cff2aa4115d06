// Loads compiled contract artifacts: our own (contracts/artifacts) and Uniswap's/WETH9 from the npm packages.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Abi, Hex } from 'viem'

/** ABI and creation bytecode of one contract. */
export interface Artifact {
  abi: Abi
  bytecode: Hex
}

const require = createRequire(import.meta.url)
const artifactsDir = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'contracts', 'artifacts')
const cache = new Map<string, Artifact>()

/** Names of the contracts compiled from contracts/src. */
export type OwnContract =
  'TestERC20' | 'TestVault' | 'PriceFeed' | 'L1StandardBridge' | 'L2StandardBridge' | 'L2MintableERC20' | 'Multicall'

/** One of our committed artifacts (no solc at run time). */
export function ownArtifact(name: OwnContract): Artifact {
  return load(`own:${name}`, join(artifactsDir, `${name}.json`))
}

/** A Uniswap v2 / WETH9 artifact exactly as shipped in the npm package's build/ folder (deployed unmodified). */
export function uniswapArtifact(name: 'UniswapV2Factory' | 'UniswapV2Pair' | 'UniswapV2Router02' | 'WETH9'): Artifact {
  const pkg = name === 'UniswapV2Factory' || name === 'UniswapV2Pair' ? '@uniswap/v2-core' : '@uniswap/v2-periphery'
  return load(`uni:${name}`, require.resolve(`${pkg}/build/${name}.json`))
}

function load(key: string, path: string): Artifact {
  let a = cache.get(key)
  if (!a) {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { abi: Abi; bytecode: string }
    a = { abi: json.abi, bytecode: (json.bytecode.startsWith('0x') ? json.bytecode : `0x${json.bytecode}`) as Hex }
    cache.set(key, a)
  }
  return a
}
