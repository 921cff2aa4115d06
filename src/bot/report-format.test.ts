import { encodeFunctionData, parseEther, parseUnits, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { createAddressBook } from '../../protocols/address-book/index.ts'
import { aaveV3PoolAbi } from '../../protocols/aave-v3/abi.ts'
import { erc20Abi } from '../../protocols/shared/erc20-abi.ts'
import { routerAbi } from '../../protocols/uniswap-v2/abi.ts'
import { swapRouter02Abi } from '../../protocols/uniswap-v3/abi.ts'
import { wethAbi } from '../../protocols/weth/abi.ts'
import { describeCall, feeOf, gwei, nativeAmount, tokenAmount, txLink, type ReportBook } from './report-format.ts'

const rb: ReportBook = { book: createAddressBook([{ id: 1 }, { id: 8453 }]), nativeSymbols: { '137': 'POL' } }
const mainnet = rb.book[1]!
const WETH = mainnet.tokens.WETH!.address
const USDC = mainnet.tokens.USDC!.address
const ROUTER = mainnet.contracts.uniswapV2Router02!
const ME = '0x000000000000000000000000000000000000bEEF' as Address
const HASH = `0x${'ab'.repeat(32)}`

describe('report formatting', () => {
  it('shows amounts with symbol and decimals, exact base units beside', () => {
    expect(tokenAmount(rb, 1, USDC, 506_900_000n)).toEqual({ amount: '506900000', formatted: '506.9 USDC' })
    expect(tokenAmount(rb, 1, WETH.toLowerCase(), parseEther('0.2'))).toEqual({
      amount: '200000000000000000',
      formatted: '0.2 WETH',
    })
    expect(tokenAmount(rb, 1, ME, 5n).formatted).toBe('5 base units of 0x0000…bEEF')
    expect(nativeAmount(rb, 1, parseEther('0.25')).formatted).toBe('0.25 ETH')
    expect(nativeAmount(rb, 137, parseEther('1')).formatted).toBe('1 POL')
  })

  it('shows fees in the native coin and gwei', () => {
    expect(gwei(12_345_678_901n).formatted).toBe('12.345 gwei')
    expect(gwei(1_000_000_000n).formatted).toBe('1 gwei')
    const fee = feeOf(rb, 1, { gasUsed: 54_321n, gasPrice: 2_998_765_432n })
    expect(fee.wei).toBe((54_321n * 2_998_765_432n).toString())
    expect(fee.formatted).toBe('0.000162895 ETH (2.998 gwei)')
    expect(feeOf(rb, 1, { gasUsed: 100_000n, gasPrice: 10n ** 10n, atMost: true }).formatted).toBe(
      '≤ 0.001 ETH (10 gwei)',
    )
  })

  it('names contracts from the book and decodes the function and its amounts', () => {
    const approve = describeCall(rb, {
      chainId: 1,
      to: USDC,
      value: 0n,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [ROUTER, 500_000_000n] }),
    })
    expect(approve).toMatchObject({ contract: 'USDC', function: 'approve', spender: 'uniswapV2Router02' })
    expect(approve.summary).toBe('USDC.approve(500 USDC for uniswapV2Router02)')

    const swap = describeCall(rb, {
      chainId: 1,
      to: ROUTER.toLowerCase(),
      value: 0n,
      data: encodeFunctionData({
        abi: routerAbi,
        functionName: 'swapExactTokensForTokens',
        args: [parseEther('0.2'), 506_900_000n, [WETH, USDC], ME, 1n],
      }),
    })
    expect(swap.summary).toBe('uniswapV2Router02.swapExactTokensForTokens(0.2 WETH -> >= 506.9 USDC)')
    expect(swap.amounts).toEqual([
      { role: 'in', amount: '200000000000000000', formatted: '0.2 WETH' },
      { role: 'out min', amount: '506900000', formatted: '506.9 USDC' },
    ])

    const wrap = describeCall(rb, {
      chainId: 1,
      to: WETH,
      value: parseEther('0.2'),
      data: encodeFunctionData({ abi: wethAbi, functionName: 'deposit' }),
    })
    expect(wrap.summary).toBe('WETH.deposit(0.2 ETH)')

    const v3 = describeCall(rb, {
      chainId: 1,
      to: mainnet.contracts.swapRouter02!,
      value: 0n,
      data: encodeFunctionData({
        abi: swapRouter02Abi,
        functionName: 'exactInputSingle',
        args: [
          {
            tokenIn: USDC,
            tokenOut: WETH,
            fee: 500,
            recipient: ME,
            amountIn: 1_000_000n,
            amountOutMinimum: 1n,
            sqrtPriceLimitX96: 0n,
          },
        ],
      }),
    })
    expect(v3.summary).toBe('swapRouter02.exactInputSingle(1 USDC -> >= 0.000000000000000001 WETH)')

    const supply = describeCall(rb, {
      chainId: 1,
      to: mainnet.contracts.aaveV3Pool!,
      value: 0n,
      data: encodeFunctionData({
        abi: aaveV3PoolAbi,
        functionName: 'supply',
        args: [USDC, parseUnits('25', 6), ME, 0],
      }),
    })
    expect(supply.summary).toBe('aaveV3Pool.supply(25 USDC)')

    const plain = describeCall(rb, { chainId: 1, to: ME, value: 1n, data: '0x' })
    expect(plain.summary).toBe('0x0000…bEEF.transfer of value(0.000000000000000001 ETH)')
    expect(plain.contract).toBeUndefined()
  })

  it('links transactions to the block explorer of a real chain only', () => {
    expect(txLink(1, HASH)).toBe(`https://etherscan.io/tx/${HASH}`)
    expect(txLink(8453, HASH)).toBe(`https://basescan.org/tx/${HASH}`)
    expect(txLink(31337, HASH)).toBeUndefined()
    expect(txLink(1, null)).toBeUndefined()
  })
})
