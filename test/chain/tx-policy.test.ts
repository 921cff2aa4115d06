// The real spend policy through the engine: allowlist, value cap, daily cap from the journal, exact approvals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createWalletClient,
  encodeFunctionData,
  erc20Abi,
  http,
  maxUint256,
  parseEther,
  parseGwei,
  type Address,
  type LocalAccount,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ownArtifact } from '../../src/devnet/devnet-artifacts.ts'
import { ANVIL_TEST_KEYS } from '../../src/devnet/anvil.ts'
import { createTxEngine, type TxEngine } from '../../src/chain/tx-engine.ts'
import { createSpendPolicyGuard } from '../../src/chain/tx-policy.ts'
import { openDatabase } from '../../src/store/database.ts'
import { randomAddress, startEngineFixture, testClient, type EngineFixture } from './engine-fixture.ts'

describe('spend policy in the engine', () => {
  let f: EngineFixture
  let engine: TxEngine
  let target: Address
  const own = randomAddress()
  const account = privateKeyToAccount(ANVIL_TEST_KEYS[1]!)
  const build = () =>
    createTxEngine({
      db: f.db,
      logger: f.logger,
      signers: [account],
      chains: [
        {
          chainId: f.anvil.chainId,
          client: testClient(f.anvil.rpcUrl, f.anvil.chainId),
          fees: { maxFeePerGas: parseGwei('50') },
          pollMs: 30,
        },
      ],
      policy: createSpendPolicyGuard([
        {
          chainId: f.anvil.chainId,
          maxFeePerGas: parseGwei('50'),
          maxValuePerTx: parseEther('1'),
          // Room for two 0.4 ETH transfers plus gas, not three.
          dailyNativeCap: parseEther('0.9'),
          dailyTokenCaps: {},
          contracts: [target],
          spenders: [],
          ownWallets: [own],
        },
      ]),
    })
  beforeAll(async () => {
    f = await startEngineFixture()
    target = await f.deployTarget()
    engine = build()
  })
  afterAll(async () => {
    await f?.close()
  })

  const nonce = () => f.client.getTransactionCount({ address: account.address })

  it('refuses a recipient off the allowlist and a value above the cap, before anything is signed', async () => {
    await expect(
      engine.send(
        { chainId: f.anvil.chainId, to: randomAddress(), value: 1n },
        { runId: 'p-1', wallet: account.address },
      ),
    ).rejects.toMatchObject({ code: 'POLICY_NOT_ALLOWLISTED', retryable: false })
    await expect(
      engine.send(
        { chainId: f.anvil.chainId, to: own, value: parseEther('2') },
        { runId: 'p-2', wallet: account.address },
      ),
    ).rejects.toMatchObject({ code: 'POLICY_MAX_VALUE' })
    expect(await nonce()).toBe(0)
    expect(engine.journal.byRun('p-1')).toHaveLength(0)
  })

  it('refuses an unlimited approval (exact approvals only)', async () => {
    const data = encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [randomAddress(), maxUint256] })
    await expect(
      engine.send({ chainId: f.anvil.chainId, to: target, data }, { runId: 'p-3', wallet: account.address }),
    ).rejects.toMatchObject({ retryable: false, name: 'PolicyViolationError' })
  })

  it('counts the daily native cap from the journal, across a restart', async () => {
    await engine.send(
      { chainId: f.anvil.chainId, to: own, value: parseEther('0.4') },
      { runId: 'p-4', wallet: account.address },
    )
    await engine.send(
      { chainId: f.anvil.chainId, to: own, value: parseEther('0.4') },
      { runId: 'p-5', wallet: account.address },
    )
    await expect(
      engine.send(
        { chainId: f.anvil.chainId, to: own, value: parseEther('0.4') },
        { runId: 'p-6', wallet: account.address },
      ),
    ).rejects.toMatchObject({ code: 'POLICY_DAILY_NATIVE' })
    f.db.close()
    f.db = openDatabase({ path: f.dbPath })
    const restarted = build()
    await expect(
      restarted.send(
        { chainId: f.anvil.chainId, to: own, value: parseEther('0.4') },
        { runId: 'p-7', wallet: account.address },
      ),
    ).rejects.toMatchObject({ code: 'POLICY_DAILY_NATIVE' })
    expect(await nonce()).toBe(2)
  })

  /** Deploys a test token from `holder` and mints it 1,000 units. */
  async function deployToken(holder: LocalAccount): Promise<Address> {
    const wallet = createWalletClient({ account: holder, chain: f.client.chain, transport: http(f.anvil.rpcUrl) })
    const { abi, bytecode } = ownArtifact('TestERC20')
    const deployed = await wallet.deployContract({ abi, bytecode, args: ['Test', 'TST', 18], chain: f.client.chain })
    const token = (await f.client.waitForTransactionReceipt({ hash: deployed, pollingInterval: 20 })).contractAddress!
    const minted = await wallet.writeContract({
      abi,
      address: token,
      functionName: 'mint',
      args: [holder.address, 1_000n],
      chain: f.client.chain,
    })
    await f.client.waitForTransactionReceipt({ hash: minted, pollingInterval: 20 })
    return token
  }

  it("journals a token transfer's token and amount and counts it against the token's cap for the engine clock's UTC day", async () => {
    const holder = privateKeyToAccount(ANVIL_TEST_KEYS[3]!)
    const token = await deployToken(holder)
    let now = Date.UTC(2026, 0, 1, 23, 59)
    const engine = createTxEngine({
      db: f.db,
      logger: f.logger,
      signers: [holder],
      now: () => now,
      chains: [{ chainId: f.anvil.chainId, client: f.client, fees: { maxFeePerGas: parseGwei('50') }, pollMs: 30 }],
      policy: createSpendPolicyGuard([
        {
          chainId: f.anvil.chainId,
          maxFeePerGas: parseGwei('50'),
          maxValuePerTx: parseEther('1'),
          dailyNativeCap: parseEther('1'),
          dailyTokenCaps: { [token]: 100n },
          contracts: [token],
          spenders: [],
          ownWallets: [own],
        },
      ]),
    })
    const pay = (runId: string, amount: bigint) =>
      engine.send(
        {
          chainId: f.anvil.chainId,
          to: token,
          data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [own, amount] }),
        },
        { runId, wallet: holder.address },
      )
    const first = await pay('tok-1', 60n)
    const row = engine.journal.get(first.intentId)!
    expect([row.tokenAddress?.toLowerCase(), row.tokenAmount]).toEqual([token.toLowerCase(), 60n])
    await expect(pay('tok-2', 41n)).rejects.toMatchObject({ code: 'POLICY_DAILY_TOKEN' })
    // Midnight UTC: yesterday's 60 no longer count, today's do.
    now = Date.UTC(2026, 0, 2)
    await pay('tok-3', 60n)
    await expect(pay('tok-4', 41n)).rejects.toMatchObject({ code: 'POLICY_DAILY_TOKEN' })
    await pay('tok-5', 40n)
    expect(engine.journal.byRun('tok-2')).toEqual([])
    const balance = await f.client.readContract({
      abi: erc20Abi,
      address: token,
      functionName: 'balanceOf',
      args: [own],
    })
    expect(balance).toBe(160n)
  })

  it('a chain without a policy refuses every call (fail closed)', async () => {
    const bare = createTxEngine({
      db: f.db,
      logger: f.logger,
      signers: [account],
      policy: createSpendPolicyGuard([]),
      chains: [
        {
          chainId: f.anvil.chainId,
          client: testClient(f.anvil.rpcUrl, f.anvil.chainId),
          fees: { maxFeePerGas: parseGwei('50') },
        },
      ],
    })
    await expect(
      bare.send({ chainId: f.anvil.chainId, to: own, value: 1n }, { runId: 'p-8', wallet: account.address }),
    ).rejects.toMatchObject({ name: 'PolicyViolationError' })
  })
})
