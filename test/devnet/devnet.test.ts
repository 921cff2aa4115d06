// The devnet deploys real contracts on two chains, writes its address file, and relays each deposit exactly once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWalletClient, http, parseEther, zeroAddress, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { devnetBook, loadDevnetAddresses } from '../../src/devnet/devnet-addresses.ts'
import { ownArtifact, uniswapArtifact } from '../../src/devnet/devnet-artifacts.ts'
import { DEVNET_RELAYER_KEY, startDevnet, type Devnet, type DevnetChain } from '../../src/devnet/devnet.ts'
import { startRelayer } from '../../src/devnet/relayer.ts'
import { anvilRpc } from '../../src/devnet/anvil.ts'

let devnet: Devnet
let dir: string
const feedAbi = ownArtifact('PriceFeed').abi
const l1BridgeAbi = ownArtifact('L1StandardBridge').abi
const l2BridgeAbi = ownArtifact('L2StandardBridge').abi

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'devnet-test-'))
  devnet = await startDevnet({ addressesPath: join(dir, 'addresses.json'), relayerPollMs: 50 })
  console.log(`devnet setup (deploy + liquidity, both chains): ${Math.round(devnet.setupMs)} ms`)
})
afterAll(async () => {
  await devnet?.stop()
  rmSync(dir, { recursive: true, force: true })
})

function walletOn(c: DevnetChain, key: Hex) {
  return createWalletClient({ account: privateKeyToAccount(key), chain: c.chain, transport: http(c.rpcUrl) })
}

describe('startDevnet', () => {
  it('writes the addresses file and every address holds code on its chain', async () => {
    const file = loadDevnetAddresses(join(dir, 'addresses.json'))
    expect(file).toEqual(devnet.addresses)
    expect(devnetBook(file)).toEqual(devnet.book)
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...file, l1: { ...file.l1, weth: '0x12' } }))
    expect(() => loadDevnetAddresses(join(dir, 'broken.json'))).toThrow(/l1\.weth: must be an address/)
    expect(file.l1.chainId).not.toBe(file.l2.chainId)
    const { l1, l2 } = devnet.addresses
    const l1Addrs = [
      l1.weth,
      l1.uniswapV2Factory,
      l1.uniswapV2Router02,
      l1.l1StandardBridge,
      l1.tokens.USDC,
      l1.tokens.DAI,
      l1.vaults.vUSDC,
      l1.priceFeeds.ETH_USD,
      l1.priceFeeds.USDC_USD,
      l1.acrossSpokePool!,
    ]
    const l2Addrs = [l2.weth, l2.l2StandardBridge, l2.tokens.USDC, l2.tokens.DAI, l2.acrossSpokePool!]
    for (const [c, addrs] of [
      [devnet.l1, l1Addrs],
      [devnet.l2, l2Addrs],
    ] as const) {
      for (const a of addrs) expect((await c.client.getCode({ address: a }))?.length ?? 0, a).toBeGreaterThan(2)
    }
  })

  it('seeds Uniswap pools at ETH = 3000 USDC', async () => {
    const { l1 } = devnet.addresses
    const [, usdcOut] = (await devnet.l1.client.readContract({
      address: l1.uniswapV2Router02,
      abi: uniswapArtifact('UniswapV2Router02').abi,
      functionName: 'getAmountsOut',
      args: [10n ** 15n, [l1.weth, l1.tokens.USDC]],
    })) as bigint[]
    // Uniswap v2's getAmountOut over the seeded reserves (1000 ETH : 3,000,000 USDC), 0.3% fee.
    const amountIn = 10n ** 15n
    const [rIn, rOut] = [10n ** 21n, 3_000_000n * 10n ** 6n]
    expect(usdcOut).toBe((amountIn * 997n * rOut) / (rIn * 1000n + amountIn * 997n))
  })
})

describe('PriceFeed', () => {
  it('serves AggregatorV3 rounds; the owner updates with increasing round ids; others and future times are refused', async () => {
    const feed = devnet.addresses.l1.priceFeeds.ETH_USD
    const read = (functionName: string, args: unknown[] = []) =>
      devnet.l1.client.readContract({ address: feed, abi: feedAbi, functionName, args })
    expect(await read('decimals')).toBe(8)
    expect(await read('description')).toBe('ETH / USD')
    const [r1, a1] = (await read('latestRoundData')) as [bigint, bigint, bigint, bigint, bigint]
    expect([r1, a1]).toEqual([1n, 3000n * 10n ** 8n])
    const owner = walletOn(devnet.l1, devnet.accounts[0]!.privateKey)
    const send = async (functionName: string, args: unknown[]) => {
      const hash = await owner.writeContract({ address: feed, abi: feedAbi, functionName, args })
      return devnet.l1.client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
    }
    await send('updateAnswer', [2900n * 10n ** 8n])
    const block = await devnet.l1.client.getBlock()
    await send('updateAnswerAt', [2800n * 10n ** 8n, block.timestamp - 3600n])
    const latest = (await read('latestRoundData')) as bigint[]
    expect(latest[0]).toBe(3n)
    expect(latest[1]).toBe(2800n * 10n ** 8n)
    expect(latest[3]).toBe(block.timestamp - 3600n)
    expect(((await read('getRoundData', [2n])) as bigint[])[1]).toBe(2900n * 10n ** 8n)
    await expect(read('getRoundData', [9n])).rejects.toThrow(/NoDataPresent/)
    const stranger = walletOn(devnet.l1, devnet.accounts[3]!.privateKey)
    await expect(
      stranger.writeContract({ address: feed, abi: feedAbi, functionName: 'updateAnswer', args: [1n] }),
    ).rejects.toThrow(/NotOwner/)
    await expect(
      owner.writeContract({
        address: feed,
        abi: feedAbi,
        functionName: 'updateAnswerAt',
        args: [1n, block.timestamp + 10_000n],
      }),
    ).rejects.toThrow(/UpdatedAtInFuture/)
    expect(((await read('latestRoundData')) as bigint[])[0]).toBe(3n)
  })
})

describe('bridge and relayer', () => {
  it('only the relayer may finalize, and a second relayer never finalizes a deposit twice', async () => {
    const { l1, l2 } = devnet.addresses
    const user = devnet.accounts[3]!
    const intruder = walletOn(devnet.l2, user.privateKey)
    await expect(
      intruder.writeContract({
        address: l2.l2StandardBridge,
        abi: l2BridgeAbi,
        functionName: 'finalizeDeposit',
        args: [zeroAddress, '0xDeadDeAddeAddEAddeadDEaDDEAdDeaDDeAD0000', user.address, user.address, 1n, '0x'],
        value: 1n,
      }),
    ).rejects.toThrow(/OnlyRelayer/)
    // A second relayer with the same key races the devnet's own: the L2 nonce check must keep credits exact.
    const second = startRelayer({
      l1: devnet.l1.client,
      l2: devnet.l2.client,
      l2Wallet: walletOn(devnet.l2, DEVNET_RELAYER_KEY),
      l1Bridge: l1.l1StandardBridge,
      l2Bridge: l2.l2StandardBridge,
      pollMs: 30,
    })
    try {
      const before = await devnet.l2.client.getBalance({ address: user.address })
      const startNonce = (await devnet.l1.client.readContract({
        address: l1.l1StandardBridge,
        abi: l1BridgeAbi,
        functionName: 'depositNonce',
      })) as bigint
      const sender = walletOn(devnet.l1, user.privateKey)
      const amounts = [parseEther('0.1'), parseEther('0.2'), parseEther('0.3')]
      for (const value of amounts) {
        const hash = await sender.writeContract({
          address: l1.l1StandardBridge,
          abi: l1BridgeAbi,
          functionName: 'depositETH',
          args: [200_000, '0x'],
          value,
        })
        await devnet.l1.client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
      }
      const target = startNonce + 3n
      const deadline = Date.now() + 30_000
      while (
        ((await devnet.l2.client.readContract({
          address: l2.l2StandardBridge,
          abi: l2BridgeAbi,
          functionName: 'nextDepositNonce',
        })) as bigint) < target
      ) {
        if (Date.now() > deadline) throw new Error('deposits were not relayed within 30 s')
        await new Promise((r) => setTimeout(r, 30))
      }
      // Racing ticks with one key: the loser may fail (nonce too low, or WrongNonce); credits must stay exact.
      await Promise.allSettled([second.tick(), devnet.relayer!.tick()])
      expect(await devnet.l2.client.getBalance({ address: user.address })).toBe(before + parseEther('0.6'))
      expect(
        await devnet.l2.client.readContract({
          address: l2.l2StandardBridge,
          abi: l2BridgeAbi,
          functionName: 'nextDepositNonce',
        }),
      ).toBe(target)
      // Replaying an already finalized nonce reverts.
      await expect(
        walletOn(devnet.l2, DEVNET_RELAYER_KEY).writeContract({
          address: l2.l2StandardBridge,
          abi: l2BridgeAbi,
          functionName: 'finalizeDepositWithNonce',
          args: [
            startNonce,
            zeroAddress,
            '0xDeadDeAddeAddEAddeadDEaDDEAdDeaDDeAD0000',
            user.address,
            user.address,
            amounts[0],
            '0x',
          ],
          value: amounts[0],
        }),
      ).rejects.toThrow(/WrongNonce/)
    } finally {
      await second.stop()
    }
  })

  it('after both chains are reverted to a snapshot, the relayer rescans and relays the new deposit', async () => {
    const { l1, l2 } = devnet.addresses
    const user = devnet.accounts[4]!
    const nextNonce = async () =>
      (await devnet.l2.client.readContract({
        address: l2.l2StandardBridge,
        abi: l2BridgeAbi,
        functionName: 'nextDepositNonce',
      })) as bigint
    const waitNonce = async (n: bigint) => {
      const deadline = Date.now() + 30_000
      while ((await nextNonce()) < n) {
        if (Date.now() > deadline) throw new Error(`L2 nonce did not reach ${n} within 30 s`)
        await new Promise((r) => setTimeout(r, 30))
      }
    }
    const deposit = async (value: bigint) => {
      const hash = await walletOn(devnet.l1, user.privateKey).writeContract({
        address: l1.l1StandardBridge,
        abi: l1BridgeAbi,
        functionName: 'depositETH',
        args: [200_000, '0x'],
        value,
      })
      await devnet.l1.client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
    }
    const start = await nextNonce()
    const balance = await devnet.l2.client.getBalance({ address: user.address })
    const [s1, s2] = await Promise.all([
      anvilRpc<string>(devnet.l1.rpcUrl, 'evm_snapshot'),
      anvilRpc<string>(devnet.l2.rpcUrl, 'evm_snapshot'),
    ])
    await deposit(parseEther('0.4'))
    await waitNonce(start + 1n)
    await devnet.relayer!.tick() // the relayer has now scanned past the deposit's block
    await Promise.all([anvilRpc(devnet.l1.rpcUrl, 'evm_revert', [s1]), anvilRpc(devnet.l2.rpcUrl, 'evm_revert', [s2])])
    expect(await nextNonce()).toBe(start)
    // Same height as the reverted deposit: only the block hash tells the relayer the chain changed.
    await deposit(parseEther('0.7'))
    await waitNonce(start + 1n)
    expect(await devnet.l2.client.getBalance({ address: user.address })).toBe(balance + parseEther('0.7'))
  })

  it('a deposit that cannot be credited on L2 emits DepositFailed and does not block the next one', async () => {
    const { l1, l2 } = devnet.addresses
    const user = devnet.accounts[2]!
    const sender = walletOn(devnet.l1, user.privateKey)
    const send = async (
      address: `0x${string}`,
      abi: typeof l1BridgeAbi,
      functionName: string,
      args: unknown[],
      value = 0n,
    ) => {
      const hash = await sender.writeContract({ address, abi, functionName, args, value })
      await devnet.l1.client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
    }
    const token = ownArtifact('TestERC20').abi
    await send(l1.tokens.USDC, token, 'mint', [user.address, 1_000n])
    await send(l1.tokens.USDC, token, 'approve', [l1.l1StandardBridge, 1_000n])
    const l2Block = await devnet.l2.client.getBlockNumber()
    const start = (await devnet.l2.client.readContract({
      address: l2.l2StandardBridge,
      abi: l2BridgeAbi,
      functionName: 'nextDepositNonce',
    })) as bigint
    // USDC paired with the L2 DAI token: the L2 bridge must refuse to mint DAI for it.
    await send(l1.l1StandardBridge, l1BridgeAbi, 'depositERC20To', [
      l1.tokens.USDC,
      l2.tokens.DAI,
      user.address,
      1_000n,
      200_000,
      '0x',
    ])
    const ethBefore = await devnet.l2.client.getBalance({ address: user.address })
    await send(l1.l1StandardBridge, l1BridgeAbi, 'depositETH', [200_000, '0x'], 5_000n)
    const deadline = Date.now() + 30_000
    while (
      ((await devnet.l2.client.readContract({
        address: l2.l2StandardBridge,
        abi: l2BridgeAbi,
        functionName: 'nextDepositNonce',
      })) as bigint) <
      start + 2n
    ) {
      if (Date.now() > deadline) throw new Error('deposits were not processed within 30 s')
      await new Promise((r) => setTimeout(r, 30))
    }
    const failed = await devnet.l2.client.getContractEvents({
      address: l2.l2StandardBridge,
      abi: l2BridgeAbi,
      eventName: 'DepositFailed',
      fromBlock: l2Block + 1n,
    })
    expect(failed.map((e) => (e.args as { amount: bigint }).amount)).toEqual([1_000n])
    expect(
      await devnet.l2.client.readContract({
        address: l2.tokens.DAI,
        abi: token,
        functionName: 'balanceOf',
        args: [user.address],
      }),
    ).toBe(0n)
    expect(await devnet.l2.client.getBalance({ address: user.address })).toBe(ethBefore + 5_000n)
  })

  it('the L1 bridge refuses zero-amount deposits', async () => {
    const sender = walletOn(devnet.l1, devnet.accounts[3]!.privateKey)
    await expect(
      sender.writeContract({
        address: devnet.addresses.l1.l1StandardBridge,
        abi: l1BridgeAbi,
        functionName: 'depositETH',
        args: [200_000, '0x'],
        value: 0n,
      }),
    ).rejects.toThrow(/ZeroAmount/)
  })
})

describe('stop', () => {
  it('stops both anvils for good', async () => {
    const d = await startDevnet({ addressesPath: null, relayer: false })
    const urls: string[] = [d.l1.rpcUrl, d.l2.rpcUrl]
    await d.stop()
    await d.stop()
    for (const p of [d.l1.anvil.process, d.l2.anvil.process])
      expect(p.exitCode !== null || p.signalCode !== null).toBe(true)
    for (const url of urls) await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow()
  })
})
