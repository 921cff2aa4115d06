// The hand-written Aave V3 signatures match the published @aave/core-v3 artifacts (names, inputs and outputs).
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import type { Abi, AbiFunction } from 'viem'
import { formatAbiItem } from 'viem/utils'
import { aaveV3AddressesProviderAbi, aaveV3DataProviderAbi, aaveV3OracleAbi, aaveV3PoolAbi } from './abi.ts'

const require = createRequire(import.meta.url)
const artifact = (path: string) => (require(`@aave/core-v3/artifacts/contracts/${path}`) as { abi: Abi }).abi

const cases: [string, readonly AbiFunction[], string][] = [
  ['Pool', aaveV3PoolAbi as readonly AbiFunction[], 'protocol/pool/Pool.sol/Pool.json'],
  [
    'PoolAddressesProvider',
    aaveV3AddressesProviderAbi as readonly AbiFunction[],
    'protocol/configuration/PoolAddressesProvider.sol/PoolAddressesProvider.json',
  ],
  ['AaveOracle', aaveV3OracleAbi as readonly AbiFunction[], 'misc/AaveOracle.sol/AaveOracle.json'],
  [
    'AaveProtocolDataProvider',
    aaveV3DataProviderAbi as readonly AbiFunction[],
    'misc/AaveProtocolDataProvider.sol/AaveProtocolDataProvider.json',
  ],
]

describe('aave-v3 ABI subsets', () => {
  it.each(cases)('%s: every function matches the artifact exactly', (_name, ours, path) => {
    const published = artifact(path).filter((i): i is AbiFunction => i.type === 'function')
    for (const fn of ours) {
      const match = published.find((p) => p.name === fn.name && formatAbiItem(p) === formatAbiItem(fn))
      expect(match, `${fn.name}: ${formatAbiItem(fn)}`).toBeDefined()
      expect(
        match!.outputs.map((o) => o.type),
        fn.name,
      ).toEqual(fn.outputs.map((o) => o.type))
      expect(match!.stateMutability === 'view', fn.name).toBe(fn.stateMutability === 'view')
    }
  })
})
