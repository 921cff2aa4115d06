import { encodeFunctionData, keccak256, parseEther, type Address, type Hex } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import { createAddressBook } from '../../protocols/address-book/index.ts'
import { erc20Abi } from '../../protocols/shared/erc20-abi.ts'
import { routerAbi } from '../../protocols/uniswap-v2/abi.ts'
import { openDatabase } from '../store/database.ts'
import { recentTxViews, sendKeysOf, txViewsOfRuns } from './tx-report.ts'

const db = openDatabase({ path: ':memory:' })
afterAll(() => db.close())
const rb = { book: createAddressBook([{ id: 1 }]) }
const WETH = rb.book[1]!.tokens.WETH!.address
const USDC = rb.book[1]!.tokens.USDC!.address
const ROUTER = rb.book[1]!.contracts.uniswapV2Router02!
const ME = '0x000000000000000000000000000000000000beef' as Address
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`

let next = 1
/** One journal row as the engine writes it (lower-case addresses, decimal strings). */
function intent(o: {
  runId: string
  chainId: number
  to: string
  data: Hex
  value?: bigint
  status: string
  kind?: 'normal' | 'replacement' | 'cancel'
  root?: number
  callIndex?: number
  maxFee?: bigint
}): number {
  const id = next++
  db.prepare(
    `INSERT INTO tx_intents (id, root_id, run_id, call_index, chain_id, from_addr, nonce, to_addr, value, data, data_hash,
     kind, status, tx_hash, gas_limit, max_fee_per_gas, created_at, updated_at, broadcast_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    o.root ?? id,
    o.runId,
    o.callIndex ?? 0,
    o.chainId,
    ME,
    id,
    o.to.toLowerCase(),
    (o.value ?? 0n).toString(),
    o.data,
    keccak256(o.data),
    o.kind ?? 'normal',
    o.status,
    hash(id),
    '100000',
    (o.maxFee ?? 20_000_000_000n).toString(),
    1_000 + id,
    1_000 + id,
    1_000 + id,
  )
  return id
}

describe('transactions as people read them', () => {
  const approve = intent({
    runId: '7',
    chainId: 1,
    to: USDC,
    status: 'mined',
    data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [ROUTER, 500_000_000n] }),
  })
  const swap = intent({
    runId: '7',
    chainId: 1,
    to: ROUTER,
    status: 'replaced',
    callIndex: 1,
    data: encodeFunctionData({
      abi: routerAbi,
      functionName: 'swapExactTokensForTokens',
      args: [500_000_000n, parseEther('0.15'), [USDC, WETH], ME, 1n],
    }),
  })
  const bump = intent({
    runId: '7',
    chainId: 1,
    to: ROUTER,
    status: 'mined',
    kind: 'replacement',
    root: swap,
    callIndex: 1,
    data: '0x',
  })
  db.prepare(
    `INSERT INTO history_tx_fee (intent_id, run_id, chain_id, gas_used, effective_gas_price, block_base_fee, fee_wei, mined_at)
     VALUES (?, '7', 1, '120000', '15000000000', '14000000000', ?, 2000)`,
  ).run(bump, (120_000n * 15_000_000_000n).toString())
  const stuck = intent({ runId: '9', chainId: 1, to: WETH, status: 'replaced', value: 1n, data: '0xd0e30db0' })
  intent({ runId: '9', chainId: 1, to: ME, status: 'mined', kind: 'cancel', root: stuck, data: '0x' })
  intent({ runId: '8', chainId: 31337, to: WETH, status: 'mined', value: parseEther('1'), data: '0xd0e30db0' })

  it('shows each call by contract name, decoded function and amounts, with the fee and an explorer link', () => {
    const txs = txViewsOfRuns(db, rb, ['7'])
    expect(txs).toHaveLength(2)
    const [a, s] = txs
    expect(a!.call.summary).toBe('USDC.approve(500 USDC for uniswapV2Router02)')
    expect(a!.hash).toBe(hash(approve))
    expect(a!.explorerUrl).toBe(`https://etherscan.io/tx/${hash(approve)}`)
    // Mined but its receipt not yet swept: the most it could cost, said so.
    expect(a!.fee).toMatchObject({ wei: '2000000000000000', formatted: '≤ 0.002 ETH (20 gwei)', atMost: true })
    expect(s!.call.summary).toBe('uniswapV2Router02.swapExactTokensForTokens(500 USDC -> >= 0.15 WETH)')
    expect(s!.status).toBe('mined')
    expect(s!.hash).toBe(hash(bump))
    expect(s!.replacements).toBe(1)
    expect(s!.fee).toEqual({
      wei: '1800000000000000',
      formatted: '0.0018 ETH (15 gwei)',
      gasUsed: '120000',
      gasPrice: { amount: '15000000000', formatted: '15 gwei' },
    })
    expect(s!.feeWei).toBe('1800000000000000')
    // JSON keeps the exact base units next to the text.
    expect(JSON.parse(JSON.stringify(s!.call.amounts))).toEqual([
      { role: 'in', amount: '500000000', formatted: '500 USDC' },
      { role: 'out min', amount: '150000000000000000', formatted: '0.15 WETH' },
    ])
  })

  it('gives no explorer link on a devnet, and lists recent transactions newest first', () => {
    const [dev] = txViewsOfRuns(db, rb, ['8'])
    expect(dev!.explorerUrl).toBeUndefined()
    expect(dev!.call.function).toBe('deposit')
    expect(dev!.call.value.formatted).toBe('1 ETH')
    expect(recentTxViews(db, rb, 0, 10).map((t) => t.runId)).toEqual(['8', '9', '7', '7'])
    // The cancel was mined, so the deposit never happened.
    const [cancelled] = txViewsOfRuns(db, rb, ['9'])
    expect(cancelled).toMatchObject({ status: 'cancelled', replacements: 1 })
    expect(cancelled!.call.summary).toBe('WETH.deposit(0.000000000000000001 ETH)')
    expect(txViewsOfRuns(db, rb, ['nothing'])).toEqual([])
  })

  it("a crash replacement's transactions are those sent under the first run of its chain", () => {
    expect(sendKeysOf({ id: 12, recoveredFrom: null })).toEqual(['12'])
    const keys = sendKeysOf({ id: 12, recoveredFrom: 8 })
    expect(keys).toEqual(['8', '12'])
    expect(txViewsOfRuns(db, rb, keys).map((t) => t.runId)).toEqual(['8'])
  })
})
