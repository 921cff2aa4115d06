// The ONE registry list of protocol adapters: adding a protocol means one folder plus one line here.
import { aaveV3Adapter } from './aave-v3/index.ts'
import { acrossAdapter } from './across/index.ts'
import { erc4626Adapter } from './erc4626/index.ts'
import { nativeTransferAdapter } from './native-transfer/index.ts'
import { opBridgeAdapter } from './op-bridge/index.ts'
import { createAdapterRegistry, type AdapterRegistry, type AnyAdapter } from './registry.ts'
import { uniswapV2Adapter } from './uniswap-v2/index.ts'
import { uniswapV3Adapter } from './uniswap-v3/index.ts'
import { wethAdapter } from './weth/index.ts'

/** Every built-in adapter, in registration order. */
export const builtinAdapters: readonly AnyAdapter[] = [
  uniswapV2Adapter,
  erc4626Adapter,
  aaveV3Adapter,
  opBridgeAdapter,
  acrossAdapter,
  nativeTransferAdapter,
  wethAdapter,
  uniswapV3Adapter,
]

/** Adapters that are not tested against a live deployment and must stay out of presets. */
export const untestedAdapterIds: readonly string[] = []

/** A registry holding the built-in adapters plus `extra` (e.g. an operator's own adapter). */
export function createDefaultRegistry(extra: readonly AnyAdapter[] = []): AdapterRegistry {
  return createAdapterRegistry([...builtinAdapters, ...extra])
}
