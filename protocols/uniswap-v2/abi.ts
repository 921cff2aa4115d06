// UniswapV2Router02 and UniswapV2Factory functions the swap adapter reads and calls.
import { parseAbi } from 'viem'

/** Router02: quotes and exact-input swaps. */
export const routerAbi = parseAbi([
  'function WETH() view returns (address)',
  'function factory() view returns (address)',
  'function getAmountsOut(uint256 amountIn, address[] path) view returns (uint256[] amounts)',
  'function swapExactETHForTokens(uint256 amountOutMin, address[] path, address to, uint256 deadline) payable returns (uint256[] amounts)',
  'function swapExactTokensForETH(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[] amounts)',
  'function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[] amounts)',
])

/** Factory: whether a direct pair exists. */
export const factoryAbi = parseAbi(['function getPair(address tokenA, address tokenB) view returns (address pair)'])
