// Loads Aave V3 contract artifacts from the published @aave/core-v3 package and links their external libraries.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Abi, Address, Hex } from 'viem'
import type { Artifact } from './devnet-artifacts.ts'

const require = createRequire(import.meta.url)

/** The Aave V3 contracts the devnet deploys, by artifact path inside @aave/core-v3/artifacts/contracts. */
const PATHS = {
  PoolAddressesProvider: 'protocol/configuration/PoolAddressesProvider.sol/PoolAddressesProvider.json',
  ACLManager: 'protocol/configuration/ACLManager.sol/ACLManager.json',
  Pool: 'protocol/pool/Pool.sol/Pool.json',
  PoolConfigurator: 'protocol/pool/PoolConfigurator.sol/PoolConfigurator.json',
  DefaultReserveInterestRateStrategy:
    'protocol/pool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy.json',
  AToken: 'protocol/tokenization/AToken.sol/AToken.json',
  StableDebtToken: 'protocol/tokenization/StableDebtToken.sol/StableDebtToken.json',
  VariableDebtToken: 'protocol/tokenization/VariableDebtToken.sol/VariableDebtToken.json',
  AaveOracle: 'misc/AaveOracle.sol/AaveOracle.json',
  AaveProtocolDataProvider: 'misc/AaveProtocolDataProvider.sol/AaveProtocolDataProvider.json',
  BorrowLogic: 'protocol/libraries/logic/BorrowLogic.sol/BorrowLogic.json',
  BridgeLogic: 'protocol/libraries/logic/BridgeLogic.sol/BridgeLogic.json',
  EModeLogic: 'protocol/libraries/logic/EModeLogic.sol/EModeLogic.json',
  FlashLoanLogic: 'protocol/libraries/logic/FlashLoanLogic.sol/FlashLoanLogic.json',
  LiquidationLogic: 'protocol/libraries/logic/LiquidationLogic.sol/LiquidationLogic.json',
  PoolLogic: 'protocol/libraries/logic/PoolLogic.sol/PoolLogic.json',
  SupplyLogic: 'protocol/libraries/logic/SupplyLogic.sol/SupplyLogic.json',
  ConfiguratorLogic: 'protocol/libraries/logic/ConfiguratorLogic.sol/ConfiguratorLogic.json',
  InitializableImmutableAdminUpgradeabilityProxy:
    'protocol/libraries/aave-upgradeability/InitializableImmutableAdminUpgradeabilityProxy.sol/InitializableImmutableAdminUpgradeabilityProxy.json',
} as const

/** Name of an Aave V3 contract the devnet deploys. */
export type AaveContract = keyof typeof PATHS

/** A Hardhat artifact: bytecode with `__$...$__` placeholders where each linked library's address goes. */
interface HardhatArtifact {
  abi: Abi
  bytecode: string
  linkReferences: Record<string, Record<string, { start: number; length: number }[]>>
}

const cache = new Map<AaveContract, HardhatArtifact>()

function raw(name: AaveContract): HardhatArtifact {
  let a = cache.get(name)
  if (!a) {
    a = JSON.parse(
      readFileSync(require.resolve(`@aave/core-v3/artifacts/contracts/${PATHS[name]}`), 'utf8'),
    ) as HardhatArtifact
    cache.set(name, a)
  }
  return a
}

/** The libraries an artifact's bytecode must be linked against (empty for most contracts). */
export function aaveLibrariesOf(name: AaveContract): string[] {
  return Object.values(raw(name).linkReferences).flatMap((libs) => Object.keys(libs))
}

/**
 * The artifact with every library placeholder replaced by the deployed library address, at the byte offsets
 * the compiler recorded in `linkReferences`. Throws when a needed library address is missing, so an unlinked
 * placeholder can never reach the chain.
 */
export function aaveArtifact(name: AaveContract, libraries: Partial<Record<string, Address>> = {}): Artifact {
  const a = raw(name)
  let hex = a.bytecode.startsWith('0x') ? a.bytecode.slice(2) : a.bytecode
  for (const libs of Object.values(a.linkReferences)) {
    for (const [lib, refs] of Object.entries(libs)) {
      const address = libraries[lib]
      if (!address) throw new Error(`Aave V3 ${name} needs library ${lib} linked; deploy it first`)
      const body = address.slice(2).toLowerCase()
      for (const { start, length } of refs) {
        if (length !== 20) throw new Error(`Aave V3 ${name}: unexpected link length ${length} for ${lib}`)
        hex = hex.slice(0, start * 2) + body + hex.slice((start + length) * 2)
      }
    }
  }
  if (hex.includes('__$')) throw new Error(`Aave V3 ${name}: unlinked library placeholder left in the bytecode`)
  return { abi: a.abi, bytecode: `0x${hex}` as Hex }
}
