// Merging config overrides into the built-in book, reverse lookups and explorer links.
import { describe, expect, it } from 'vitest'
import { chainBook, createAddressBook, explorerTxUrl, nameOfAddress, tokenAt } from './index.ts'

const OTHER = '0x1111111111111111111111111111111111111111'

describe('address book', () => {
  it('a covered chain gets the built-in tokens with decimals and the stable contract names', () => {
    const b = chainBook(1)
    expect(b.tokens.USDC).toEqual({
      symbol: 'USDC',
      address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
      decimals: 6,
    })
    expect(b.contracts.uniswapV2Router02).toBe('0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D')
    expect(b.priceFeeds?.ETH_USD).toMatch(/^0x/)
    expect(chainBook(8453).parentChainId).toBe(1)
  })

  it('config overrides replace by symbol or name and add new entries; the rest stays built in', () => {
    const b = chainBook(1, {
      tokens: { USDC: { address: OTHER, decimals: 6 }, PEPE: { address: OTHER.replace('11', '22'), decimals: 18 } },
      contracts: { uniswapV2Router02: OTHER.toLowerCase() },
    })
    expect(b.tokens.USDC!.address).toBe(OTHER)
    expect(b.tokens.PEPE!.decimals).toBe(18)
    expect(b.tokens.DAI!.decimals).toBe(18)
    expect(b.contracts.uniswapV2Router02).toBe(OTHER)
    expect(b.contracts.weth).toBe('0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2')
  })

  it('a chain the book does not cover holds only what config adds', () => {
    const b = createAddressBook([{ id: 999, book: { contracts: { weth: OTHER }, parentChainId: 1 } }])[999]!
    expect(b.tokens).toEqual({})
    expect(b.contracts).toEqual({ weth: OTHER })
    expect(b.parentChainId).toBe(1)
  })

  it('names an address by symbol or contract name, case-insensitively', () => {
    const book = createAddressBook([{ id: 1 }])
    expect(nameOfAddress(book, 1, '0x7a250d5630b4cf539739df2c5dacb4c659f2488d')).toBe('uniswapV2Router02')
    // WETH is both a token and a contract: the token symbol wins, the more useful name in a report.
    expect(nameOfAddress(book, 1, '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2')).toBe('WETH')
    expect(nameOfAddress(book, 1, OTHER)).toBeUndefined()
    expect(tokenAt(book, 1, '0xdac17f958d2ee523a2206206994597c13d831ec7')?.symbol).toBe('USDT')
  })

  it('links transactions on real chains only', () => {
    expect(explorerTxUrl(8453, '0xab')).toBe('https://basescan.org/tx/0xab')
    expect(explorerTxUrl(31337, '0xab')).toBeUndefined()
  })
})
