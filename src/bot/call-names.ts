// Names the function a call invokes, decoded from the ABIs the registered adapters call into.
import { decodeFunctionData, type Abi, type Hex } from 'viem'
import { aaveV3PoolAbi } from '../../protocols/aave-v3/abi.ts'
import { spokePoolAbi } from '../../protocols/across/abi.ts'
import { erc4626Abi } from '../../protocols/erc4626/abi.ts'
import { l1BridgeAbi } from '../../protocols/op-bridge/abi.ts'
import { erc20Abi } from '../../protocols/shared/erc20-abi.ts'
import { routerAbi } from '../../protocols/uniswap-v2/abi.ts'
import { swapRouter02Abi } from '../../protocols/uniswap-v3/abi.ts'
import { wethAbi } from '../../protocols/weth/abi.ts'

// Every ABI an adapter of the registry calls into; the first that decodes the data names the function.
const ABIS: readonly Abi[] = [
  erc20Abi,
  wethAbi,
  routerAbi,
  swapRouter02Abi,
  erc4626Abi,
  aaveV3PoolAbi,
  l1BridgeAbi,
  spokePoolAbi,
]

/** The decoded function and arguments of a call's data, by the first registry ABI that decodes it. */
export function decodeCall(data: string): { functionName: string; args: readonly unknown[] } | undefined {
  for (const abi of ABIS) {
    try {
      const d = decodeFunctionData({ abi, data: data as Hex })
      return { functionName: d.functionName, args: d.args ?? [] }
    } catch {
      // not this ABI's function: try the next
    }
  }
  return undefined
}

/** The function a call's data invokes (`approve`, `exactInputSingle`, ...), `transfer of value` for plain sends. */
export function functionNameOf(data: string): string | undefined {
  if (data === '0x' || data === '') return 'transfer of value'
  return decodeCall(data)?.functionName
}
