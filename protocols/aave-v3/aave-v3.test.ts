// aave-v3 against a real Aave V3 market on the devnet: supply, borrow under a health-factor floor, repay, withdraw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createWalletClient,
  decodeFunctionData,
  encodeFunctionData,
  http,
  parseEther,
  parseUnits,
  type Address,
  type Hex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { anvilRpc } from '../../src/devnet/anvil.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { uniswapArtifact } from '../../src/devnet/devnet-artifacts.ts'
import { createWalletExecutor, withGasHeadroom, type CallExecutor } from '../../test/devnet/executor.ts'
import { devnetContext, erc20BalanceOf, WRITE_METHODS } from '../../test/devnet/harness.ts'
import { ValidationError } from '../../src/errors/validation-error.ts'
import { prepareAdapterCalls } from '../registry.ts'
import { AdapterPreconditionError } from '../shared/errors.ts'
import { erc20Abi } from '../shared/erc20-abi.ts'
import { aaveV3PoolAbi } from './abi.ts'
import { projectHealthFactor, valueInBase, WAD } from './health.ts'
import { readReserve } from './market.ts'
import { aaveV3Adapter } from './index.ts'

let devnet: Devnet
let wallet: Address
let exec: CallExecutor
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayer: false, aaveV3: true })
  wallet = devnet.accounts[3]!.address
  exec = createWalletExecutor(devnet, devnet.accounts[3]!.privateKey)
  // 10 WETH of collateral for the wallet.
  await exec.executeCalls([
    {
      chainId: devnet.l1.chainId,
      to: devnet.addresses.l1.weth,
      value: parseEther('10'),
      label: 'wrap',
      data: encodeFunctionData({ abi: uniswapArtifact('WETH9').abi, functionName: 'deposit' }) as Hex,
    },
  ])
})
afterAll(async () => {
  await devnet?.stop()
})

const market = () => devnet.addresses.l1.aaveV3!
const L1 = () => devnet.l1.chainId

async function run(raw: Record<string, unknown>) {
  const { calls } = await prepareAdapterCalls(aaveV3Adapter, devnetContext(devnet, wallet), { chainId: L1(), ...raw })
  await exec.executeCalls(calls)
  return calls
}

async function refused(raw: Record<string, unknown>, who = wallet): Promise<{ err: unknown; rpcLog: string[] }> {
  const ctx = devnetContext(devnet, who)
  // The devnet L2 has its own Aave market: a chain without one is the L2 seen through a book without its Pool.
  const l2 = devnet.l2.chainId
  if (raw.chainId === l2) {
    const { aaveV3Pool: _pool, ...contracts } = devnet.book[l2]!.contracts
    ctx.book = { ...devnet.book, [l2]: { ...devnet.book[l2]!, contracts } }
  }
  const err = await prepareAdapterCalls(aaveV3Adapter, ctx, { chainId: L1(), ...raw }).then(
    () => undefined,
    (e: unknown) => e,
  )
  return { err, rpcLog: ctx.rpcLog }
}

const accountHf = async () =>
  (
    await devnet.l1.client.readContract({
      address: market().aaveV3Pool,
      abi: aaveV3PoolAbi,
      functionName: 'getUserAccountData',
      args: [wallet],
    })
  )[5]

describe('aave-v3 on a live Aave V3 market', () => {
  it('supplies WETH with an exact approval; the aToken balance grows by the amount', async () => {
    const calls = await run({ action: 'supply', asset: 'WETH', amount: '4' })
    expect(calls).toHaveLength(2)
    expect(calls.map((c) => c.label)).toEqual(['approve 4 WETH to Aave v3 Pool', 'supply 4 WETH to Aave v3'])
    expect(decodeFunctionData({ abi: erc20Abi, data: calls[0]!.data }).args).toEqual([
      market().aaveV3Pool,
      parseEther('4'),
    ])
    expect(await erc20BalanceOf(devnet.l1, market().reserves.WETH.aToken, wallet)).toBe(parseEther('4'))
    expect(
      await devnet.l1.client.readContract({
        address: devnet.addresses.l1.weth,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [wallet, market().aaveV3Pool],
      }),
    ).toBe(0n)
  })

  it("mines a borrow estimated in the last block's second and sent seconds later, with the gas headroom", async () => {
    // The Pool skips interest accrual when a block shares the reserve's last-update second: an estimate taken then
    // is short for a block mined later (a loaded machine), and the bare estimate runs out of gas.
    const borrow = { action: 'borrow', asset: 'USDC', amount: '5000', minHealthFactor: '1.5' }
    const { calls } = await prepareAdapterCalls(aaveV3Adapter, devnetContext(devnet, wallet), {
      chainId: L1(),
      ...borrow,
    })
    const tx = { to: calls[0]!.to, data: calls[0]!.data }
    const account = privateKeyToAccount(devnet.accounts[3]!.privateKey)
    const sender = createWalletClient({ account, chain: devnet.l1.chain, transport: http(devnet.l1.rpcUrl) })
    const mined = async (gas: bigint) => {
      const hash = await sender.sendTransaction({ ...tx, gas })
      return (await devnet.l1.client.waitForTransactionReceipt({ hash, pollingInterval: 20 })).status
    }
    const snapshot = await anvilRpc(devnet.l1.rpcUrl, 'evm_snapshot', [])
    try {
      const last = (await devnet.l1.client.getBlock()).timestamp
      await anvilRpc(devnet.l1.rpcUrl, 'evm_setNextBlockTimestamp', [Number(last)])
      const estimate = await devnet.l1.client.estimateGas({ account: wallet, ...tx })
      await anvilRpc(devnet.l1.rpcUrl, 'evm_setNextBlockTimestamp', [Number(last + 5n)])
      expect(await mined(estimate)).toBe('reverted')
      expect(await mined(withGasHeadroom(estimate))).toBe('success')
    } finally {
      await anvilRpc(devnet.l1.rpcUrl, 'evm_revert', [snapshot])
    }
  })

  it('borrows USDC within the floor; the projected health factor matches the Pool, never above it', async () => {
    const usdc = devnet.book[L1()]!.tokens.USDC!
    const amount = parseUnits('5000', 6)
    const before = await readReserve(devnetContext(devnet, wallet), L1(), market().aaveV3Pool, usdc, wallet)
    const projected = projectHealthFactor(before.account, { debtAddedBase: valueInBase(amount, before.price, 6) })
    const calls = await run({ action: 'borrow', asset: 'USDC', amount: '5000', minHealthFactor: '1.5' })
    expect(calls[0]!.label).toMatch(
      /^borrow 5000 USDC from Aave v3 \(variable rate, health factor no debt -> 1\.9\d{3}, limit 1\.5000\)$/,
    )
    expect(await erc20BalanceOf(devnet.l1, market().reserves.USDC.variableDebtToken, wallet)).toBeGreaterThanOrEqual(
      amount,
    )
    const actual = await accountHf()
    expect(projected).toBeLessThanOrEqual(actual)
    expect(actual - projected).toBeLessThan(WAD / 1000n)
  })

  it('refuses a borrow that would take the health factor below the floor, after reads only', async () => {
    // 4 WETH = 12,000 USD of collateral at 82.5%: 5,000 USDC owed; 2,000 more leaves ~1.41 < 1.5.
    const { err, rpcLog } = await refused({ action: 'borrow', asset: 'USDC', amount: '2000', minHealthFactor: 1.5 })
    expect(err).toBeInstanceOf(AdapterPreconditionError)
    expect((err as Error).message).toMatch(/health factor from 1\.9\d{3} to 1\.41\d{2}, below the limit 1\.5000/)
    expect(rpcLog.filter((m) => WRITE_METHODS.has(m))).toEqual([])
    // The same borrow passes under a lower floor (the Pool itself would accept it).
    await expect(
      prepareAdapterCalls(aaveV3Adapter, devnetContext(devnet, wallet), {
        chainId: L1(),
        action: 'borrow',
        asset: 'USDC',
        amount: '2000',
        minHealthFactor: 1.2,
      }),
    ).resolves.toBeDefined()
  })

  it('refuses a collateral withdrawal that would breach the floor', async () => {
    const { err } = await refused({ action: 'withdraw', asset: 'WETH', amount: '1.5' })
    expect((err as Error).message).toMatch(/withdrawing 1500000000000000000 WETH would take the health factor/)
  })

  it('repays all debt ("max") and then withdraws all collateral', async () => {
    const calls = await run({ action: 'repay', asset: 'USDC', amount: 'max' })
    expect(calls.map((c) => c.label)[1]).toMatch(/^repay all \(5000(\.\d+)? \+ accrued\) USDC debt of the wallet/)
    expect(await erc20BalanceOf(devnet.l1, market().reserves.USDC.variableDebtToken, wallet)).toBe(0n)
    const wethBefore = await erc20BalanceOf(devnet.l1, devnet.addresses.l1.weth, wallet)
    await run({ action: 'withdraw', asset: 'WETH', amount: 'max' })
    expect(await erc20BalanceOf(devnet.l1, market().reserves.WETH.aToken, wallet)).toBe(0n)
    expect(await erc20BalanceOf(devnet.l1, devnet.addresses.l1.weth, wallet)).toBeGreaterThanOrEqual(
      wethBefore + parseEther('4'),
    )
  })

  it('bad params: typed errors before any write', async () => {
    const L2 = devnet.l2.chainId
    const cases: [Record<string, unknown>, new (...a: never[]) => Error, RegExp][] = [
      [
        { action: 'supply', asset: 'WETH', amount: '1000' },
        AdapterPreconditionError,
        /holds \d+ WETH, needs 1000000000000000000000/,
      ],
      [
        { action: 'supply', asset: 'DAI', amount: '1' },
        AdapterPreconditionError,
        /DAI is not listed in the Aave v3 market/,
      ],
      [{ action: 'supply', asset: 'FOO', amount: '1 wei' }, ValidationError, /unknown token "FOO"/],
      [
        { action: 'supply', asset: 'FOO', amount: '1' },
        ValidationError,
        /amount: "1" is in token units, but its token "FOO" is not in the address book/,
      ],
      [{ action: 'supply', asset: 'USDC', amount: 1 }, ValidationError, /amount: bare numbers are refused/],
      [{ action: 'supply', asset: 'USDC', amount: '0.0000001' }, ValidationError, /amount: .*USDC has 6/],
      [{ action: 'supply', asset: 'ETH', amount: '1' }, ValidationError, /ERC-20 assets only/],
      [
        { chainId: L2, action: 'supply', asset: 'USDC', amount: '1' },
        ValidationError,
        /no aaveV3Pool configured on chain/,
      ],
      [
        { chainId: 999, action: 'supply', asset: 'USDC', amount: '1 wei' },
        ValidationError,
        /chain 999 is not in the address book/,
      ],
      [
        { action: 'borrow', asset: 'USDC', amount: '1', to: devnet.accounts[2]!.address },
        ValidationError,
        /leave "to" out/,
      ],
      [{ action: 'borrow', asset: 'USDC', amount: '1', minHealthFactor: '1.0' }, ValidationError, /at least 1\.01/],
      [{ action: 'borrow', asset: 'USDC', amount: '1' }, AdapterPreconditionError, /no collateral/],
      [{ action: 'repay', asset: 'USDC', amount: 'max' }, AdapterPreconditionError, /owes no variable-rate USDC/],
      [{ action: 'withdraw', asset: 'USDC', amount: 'max' }, AdapterPreconditionError, /nothing supplied/],
      [{ action: 'supply', asset: 'USDC', amount: 'max' }, ValidationError, /only allowed for withdraw and repay/],
    ]
    const nonce = await devnet.l1.client.getTransactionCount({ address: wallet })
    for (const [raw, type, message] of cases) {
      const { err, rpcLog } = await refused(raw)
      expect(err, JSON.stringify(raw)).toBeInstanceOf(type)
      expect((err as Error).message, JSON.stringify(raw)).toMatch(message)
      expect(rpcLog.filter((m) => WRITE_METHODS.has(m))).toEqual([])
      if (type === ValidationError) expect(rpcLog, JSON.stringify(raw)).toEqual([])
    }
    expect(await devnet.l1.client.getTransactionCount({ address: wallet })).toBe(nonce)
  })

  it("refuses a borrow past the collateral's LTV even when a low floor would allow it", async () => {
    // 4 WETH at 3,000: a floor of 1.01 would allow ~9,800 USDC, the 80% LTV only 9,600.
    await run({ action: 'supply', asset: 'WETH', amount: '4' })
    const { err, rpcLog } = await refused({ action: 'borrow', asset: 'USDC', amount: '9700', minHealthFactor: '1.01' })
    expect((err as Error).message).toMatch(/exceeds what the collateral's loan-to-value allows/)
    expect(err).toBeInstanceOf(AdapterPreconditionError)
    expect(rpcLog.filter((m) => WRITE_METHODS.has(m))).toEqual([])
    await expect(
      prepareAdapterCalls(aaveV3Adapter, devnetContext(devnet, wallet), {
        chainId: L1(),
        action: 'borrow',
        asset: 'USDC',
        amount: '9500',
        minHealthFactor: '1.01',
      }),
    ).resolves.toBeDefined()
  })
})
