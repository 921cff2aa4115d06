// The committed built-in address book equals what the published packages say today, and carries the stable names.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BUILTIN_BOOK_FILE, BUILTIN_CHAIN_DIR, renderBuiltinBook } from '../../scripts/gen-address-book.ts'
import { builtinChainData, builtinChainIds, createAddressBook } from '../../protocols/address-book/index.ts'
import { resolveAcrossRoute } from '../../protocols/across/route.ts'
import { createReadContext } from '../../protocols/context.ts'

describe('built-in address book', () => {
  it('the committed files are exactly what the packages generate (run `npm run gen-address-book` after an upgrade)', () => {
    const files = renderBuiltinBook()
    expect(Object.keys(files)).toContain(BUILTIN_BOOK_FILE)
    for (const [file, text] of Object.entries(files)) expect(readFileSync(file, 'utf8'), file).toBe(text)
    // No stale chain file from a chain the packages no longer give.
    expect(
      readdirSync(BUILTIN_CHAIN_DIR)
        .map((f) => BUILTIN_CHAIN_DIR + f)
        .sort(),
    ).toEqual(
      Object.keys(files)
        .filter((f) => f !== BUILTIN_BOOK_FILE)
        .sort(),
    )
  })

  it('covers Ethereum, OP Mainnet, Base, Arbitrum One and Sepolia', () => {
    expect(builtinChainIds().sort((a, b) => a - b)).toEqual([1, 10, 8453, 42161, 11155111])
  })

  it('each mainnet has WETH, USDC, DAI, Multicall3, Uniswap V2 + V3, Aave V3, an ETH/USD feed and an explorer', () => {
    for (const id of [1, 10, 8453, 42161]) {
      const c = builtinChainData(id)!
      expect(Object.keys(c.tokens), `chain ${id}`).toEqual(expect.arrayContaining(['WETH', 'USDC', 'DAI']))
      expect(Object.keys(c.contracts), `chain ${id}`).toEqual(
        expect.arrayContaining([
          'weth',
          'multicall3',
          'uniswapV2Factory',
          'uniswapV2Router02',
          'uniswapV3Factory',
          'swapRouter02',
          'nonfungiblePositionManager',
          'aaveV3Pool',
          'aaveV3PoolDataProvider',
          'aaveV3Oracle',
        ]),
      )
      expect(c.priceFeeds.ETH_USD?.address, `chain ${id}`).toMatch(/^0x[0-9a-fA-F]{40}$/)
      expect(c.explorer).toMatch(/^https:\/\//)
      // WETH the token and weth the contract are one address.
      expect(c.tokens.WETH!.address).toBe(c.contracts.weth!.address)
      expect(c.tokens.USDC!.decimals).toBe(6)
      expect(c.tokens.DAI!.decimals).toBe(18)
    }
  })

  it('USDT is on every mainnet but Base, and Base says where it is missing from', () => {
    for (const id of [1, 10, 42161]) expect(builtinChainData(id)!.tokens.USDT?.decimals).toBe(6)
    expect(builtinChainData(8453)!.missing.map((m) => m.name)).toContain('token USDT')
  })

  it('the OP Standard Bridge pair: L1 side per L2 on Ethereum, the predeploy on Optimism and Base', () => {
    const l1 = builtinChainData(1)!.contracts
    expect(l1['l1StandardBridge.10']?.address).not.toBe(l1['l1StandardBridge.8453']?.address)
    for (const id of [10, 8453]) {
      expect(builtinChainData(id)!.parentChainId).toBe(1)
      expect(builtinChainData(id)!.contracts.l2StandardBridge?.address).toBe(
        '0x4200000000000000000000000000000000000010',
      )
    }
  })

  it('every entry names its source and every missing entry says where to look', () => {
    for (const id of builtinChainIds()) {
      const c = builtinChainData(id)!
      for (const e of [...Object.values(c.tokens), ...Object.values(c.contracts), ...Object.values(c.priceFeeds)]) {
        expect(e.source.length).toBeGreaterThan(5)
      }
      for (const m of c.missing) expect(m.source).toMatch(/@|https:/)
    }
    // A package that publishes no QuoterV2 for a chain makes the book say so instead of guessing.
    expect(builtinChainData(1)!.missing.map((m) => m.name)).toContain('quoterV2')
    expect(builtinChainData(8453)!.contracts.quoterV2).toBeDefined()
  })

  it('lists the Across SpokePool proxy on every chain, and the across adapter routes between real chains with it', () => {
    for (const id of builtinChainIds()) {
      expect(builtinChainData(id)!.contracts.acrossSpokePool?.source, `chain ${id}`).toMatch(
        /^@across-protocol\/contracts dist\/broadcast\/deployed-addresses\.json/,
      )
    }
    const book = createAddressBook([{ id: 1 }, { id: 8453 }])
    const wallet = '0x000000000000000000000000000000000000dEaD'
    const ctx = createReadContext({ clients: {}, wallet, book })
    const route = resolveAcrossRoute(ctx, { fromChainId: 8453, toChainId: 1, token: 'USDC' })
    expect(route.originPool).toBe(builtinChainData(8453)!.contracts.acrossSpokePool!.address)
    expect(route.destPool).toBe(builtinChainData(1)!.contracts.acrossSpokePool!.address)
    expect([route.inputToken.address, route.outputToken.address]).toEqual([
      builtinChainData(8453)!.tokens.USDC!.address,
      builtinChainData(1)!.tokens.USDC!.address,
    ])
    const eth = resolveAcrossRoute(ctx, { fromChainId: 1, toChainId: 8453, token: 'ETH' })
    expect(eth.native).toBe(true)
    expect(eth.outputToken.address).toBe(builtinChainData(8453)!.contracts.weth!.address)
  })
})
