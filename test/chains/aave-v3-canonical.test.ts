// Aave V3 built at Base's canonical Pool and data provider addresses: the adapter supplies and withdraws through the book.
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  erc20Abi,
  http,
  parseUnits,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { builtinChainData, createAddressBook } from '../../protocols/address-book/index.ts'
import { createReadContext } from '../../protocols/context.ts'
import { createDefaultRegistry } from '../../protocols/index.ts'
import { prepareAdapterCalls } from '../../protocols/registry.ts'
import { aaveV3PoolAbi } from '../../protocols/aave-v3/abi.ts'
import type { Call } from '../../protocols/types.ts'
import { ANVIL_TEST_KEYS, startAnvil, type AnvilInstance } from '../../src/devnet/anvil.ts'
import { ownArtifact, uniswapArtifact } from '../../src/devnet/devnet-artifacts.ts'
import { deployAaveV3Canonical, type AaveV3CanonicalMarket } from '../../src/devnet/mainnet/aave-v3-canonical.ts'

const base = defineChain({
  id: 8453,
  name: 'base (anvil)',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: ['http://127.0.0.1'] } },
})
let anvil: AnvilInstance
let client: PublicClient
let market: AaveV3CanonicalMarket
const tokens = {} as { WETH: Address; USDC: Address }
const deployerKey = ANVIL_TEST_KEYS[0] as Hex
const userKey = ANVIL_TEST_KEYS[1] as Hex
const user = privateKeyToAccount(userKey).address

const walletFor = (key: Hex) =>
  createWalletClient({ account: privateKeyToAccount(key), chain: base, transport: http(anvil.rpcUrl) })
async function send(key: Hex, tx: { to?: Address; data: Hex; value?: bigint }): Promise<Address | undefined> {
  const hash = await walletFor(key).sendTransaction({ ...tx, to: tx.to ?? null })
  const r = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  if (r.status !== 'success') throw new Error(`transaction ${hash} reverted`)
  return r.contractAddress ?? undefined
}

beforeAll(async () => {
  anvil = await startAnvil({ chainId: 8453 })
  client = createPublicClient({ chain: base, transport: http(anvil.rpcUrl), cacheTime: 0 }) as PublicClient
  // Stand-ins at whatever addresses: the market is built around them.
  const deployer = walletFor(deployerKey)
  const weth9 = uniswapArtifact('WETH9')
  const token = ownArtifact('TestERC20')
  for (const [symbol, hash] of [
    ['WETH', await deployer.deployContract({ abi: weth9.abi, bytecode: weth9.bytecode })],
    ['USDC', await deployer.deployContract({ abi: token.abi, bytecode: token.bytecode, args: ['USDC', 'USDC', 6] })],
  ] as const) {
    tokens[symbol] = (await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })).contractAddress!
  }
  await deployer.writeContract({
    address: tokens.USDC,
    abi: token.abi,
    functionName: 'mint',
    args: [user, parseUnits('1000', 6)],
  })
  market = await deployAaveV3Canonical({ rpcUrl: anvil.rpcUrl, deployerKey, weth: tokens.WETH, usdc: tokens.USDC })
}, 120_000)
afterAll(async () => {
  await anvil?.stop()
})

describe('Aave V3 at its canonical Base addresses', () => {
  it('puts the Pool proxy and the data provider at the addresses the built-in book lists', () => {
    const book = builtinChainData(8453)!.contracts
    expect(market.aaveV3Pool).toBe(book.aaveV3Pool!.address)
    expect(market.aaveV3PoolDataProvider).toBe(book.aaveV3PoolDataProvider!.address)
  })

  it('the aave-v3 adapter supplies and withdraws USDC through the canonical Pool; aToken balances show it', async () => {
    const book = createAddressBook([
      {
        id: 8453,
        book: {
          tokens: {
            WETH: { address: tokens.WETH, decimals: 18 },
            USDC: { address: tokens.USDC, decimals: 6 },
          },
          contracts: { weth: tokens.WETH },
        },
      },
    ])
    const ctx = createReadContext({ clients: { 8453: client }, wallet: user, book })
    const aave = createDefaultRegistry().get('aave-v3')
    const run = async (calls: readonly Call[]) => {
      for (const c of calls) {
        expect(c.chainId).toBe(8453)
        await send(userKey, { to: c.to, data: c.data, value: c.value })
      }
      return calls
    }
    const balance = (token: Address) =>
      client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [user] })
    const aUsdc = market.reserves.USDC.aToken

    const supply = await run(
      (await prepareAdapterCalls(aave, ctx, { chainId: 8453, action: 'supply', asset: 'USDC', amount: '250' })).calls,
    )
    expect(supply.at(-1)!.to).toBe(market.aaveV3Pool)
    expect(await balance(aUsdc)).toBe(250_000_000n)
    expect(await balance(tokens.USDC)).toBe(750_000_000n)
    // The canonical Pool prices the position through the market's oracle: 250 USDC is 250 USD of collateral.
    const [collateralBase] = await client.readContract({
      address: market.aaveV3Pool,
      abi: aaveV3PoolAbi,
      functionName: 'getUserAccountData',
      args: [user],
    })
    expect(collateralBase).toBe(250n * 10n ** 8n)

    const withdraw = await run(
      (await prepareAdapterCalls(aave, ctx, { chainId: 8453, action: 'withdraw', asset: 'USDC', amount: 'max' })).calls,
    )
    expect(withdraw.map((c) => c.to)).toEqual([market.aaveV3Pool])
    expect(await balance(aUsdc)).toBe(0n)
    expect(await balance(tokens.USDC)).toBe(1_000_000_000n)
  })
})
