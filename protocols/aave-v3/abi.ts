// Aave v3 Pool functions (signatures as in aave/aave-v3-core contracts/interfaces/IPool.sol).
import { parseAbi } from 'viem'

/** IPool subset: supply and withdraw. */
export const aaveV3PoolAbi = parseAbi([
  'function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode)',
  'function withdraw(address asset, uint256 amount, address to) returns (uint256)',
])
