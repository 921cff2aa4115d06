// Uniswap V3 functions the swap adapter reads and calls: UniswapV3Factory, QuoterV2 and SwapRouter02 (checked against the npm artifacts in the test).
import { parseAbi } from 'viem'

/** UniswapV3Factory: whether a pool exists for a token pair and fee tier. */
export const v3FactoryAbi = parseAbi([
  'function getPool(address tokenA, address tokenB, uint24 fee) view returns (address pool)',
])

/** QuoterV2: simulated exact-input swaps (non-view: it runs the swap and reverts with the result). */
export const quoterV2Abi = parseAbi([
  'function quoteExactInput(bytes path, uint256 amountIn) returns (uint256 amountOut, uint160[] sqrtPriceX96AfterList, uint32[] initializedTicksCrossedList, uint256 gasEstimate)',
])

/** SwapRouter02: exact-input swaps, deadline-checked multicall, and the WETH/ETH payment helpers. */
export const swapRouter02Abi = parseAbi([
  'struct ExactInputSingleParams { address tokenIn; address tokenOut; uint24 fee; address recipient; uint256 amountIn; uint256 amountOutMinimum; uint160 sqrtPriceLimitX96; }',
  'struct ExactInputParams { bytes path; address recipient; uint256 amountIn; uint256 amountOutMinimum; }',
  'function WETH9() view returns (address)',
  'function exactInputSingle(ExactInputSingleParams params) payable returns (uint256 amountOut)',
  'function exactInput(ExactInputParams params) payable returns (uint256 amountOut)',
  'function multicall(uint256 deadline, bytes[] data) payable returns (bytes[] results)',
  'function unwrapWETH9(uint256 amountMinimum, address recipient) payable',
  'function refundETH() payable',
])

/** SwapRouter02's recipient flag for "the router itself" (Constants.ADDRESS_THIS): output held for unwrapWETH9. */
export const ROUTER_ADDRESS_THIS = '0x0000000000000000000000000000000000000002'
