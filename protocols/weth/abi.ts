// WETH9 wrap/unwrap functions (the canonical WETH9 contract).
import { parseAbi } from 'viem'

/** WETH9: deposit wraps msg.value, withdraw unwraps. */
export const wethAbi = parseAbi([
  'function deposit() payable',
  'function withdraw(uint256 wad)',
  'function balanceOf(address owner) view returns (uint256)',
])
