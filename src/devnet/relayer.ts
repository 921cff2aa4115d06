// Devnet relayer: follows L1StandardBridge deposits and finalizes each exactly once, in order, on the L2 bridge.
import { startPollLoop } from './poll-loop.ts'
import {
  parseAbiItem,
  zeroAddress,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { ownArtifact } from './devnet-artifacts.ts'

const depositQueued = parseAbiItem(
  'event DepositQueued(uint256 indexed nonce, address l1Token, address l2Token, address from, address to, uint256 amount, bytes extraData)',
)
// The full artifact ABI, so reverts decode to the bridge's named errors (WrongNonce, WrongValue...).
const l2BridgeAbi = ownArtifact('L2StandardBridge').abi

/** Where the relayer reads and writes. */
export interface RelayerOptions {
  l1: PublicClient
  l2: PublicClient
  /** Signs the L2 finalize calls; its address must be the L2 bridge's `relayer` and hold ETH for ETH deposits. */
  l2Wallet: WalletClient<Transport, Chain, Account>
  l1Bridge: Address
  l2Bridge: Address
  /** Delay between polls of L1 (default 100 ms). */
  pollMs?: number
  /** Called with every relay failure; the relayer keeps going and retries on the next poll. */
  onError?: (err: unknown) => void
}

/** A running relayer. */
export interface Relayer {
  address: Address
  /** Deposits finalized by this relayer since it started. */
  relayedCount(): number
  /** Runs one poll now (tests use it to avoid waiting for the timer); returns how many deposits it finalized. */
  tick(): Promise<number>
  /** Stops polling and waits for an in-flight relay to finish. */
  stop(): Promise<void>
}

/**
 * Starts polling L1 for `DepositQueued` and calling `finalizeDepositWithNonce` on L2. The L2 bridge refuses any
 * nonce but the next one, so a restart or a second relayer can never finalize a deposit twice.
 */
export function startRelayer(opts: RelayerOptions): Relayer {
  const pollMs = opts.pollMs ?? 100
  let cursor = 0n
  let lastScannedHash: string | undefined
  let relayed = 0

  const relayOnce = async (): Promise<number> => {
    const headBlock = await opts.l1.getBlock({ blockTag: 'latest' })
    const head = headBlock.number
    // L1 went back or forked (evm_revert, anvil_rollback, reorg) under the last scanned block: rescan from
    // genesis; the L2 nonce check skips what is already finalized.
    if (cursor > 0n) {
      const last = head >= cursor - 1n ? await opts.l1.getBlock({ blockNumber: cursor - 1n }) : undefined
      if (last?.hash !== lastScannedHash) cursor = 0n
    }
    if (head < cursor) return 0
    const logs = await opts.l1.getLogs({
      address: opts.l1Bridge,
      event: depositQueued,
      fromBlock: cursor,
      toBlock: head,
    })
    let next = (await opts.l2.readContract({
      address: opts.l2Bridge,
      abi: l2BridgeAbi,
      functionName: 'nextDepositNonce',
    })) as bigint
    let count = 0
    const sorted = [...logs].sort((a, b) => (a.args.nonce! < b.args.nonce! ? -1 : 1))
    for (const log of sorted) {
      if (poll.stopped()) return count
      const a = log.args as Required<typeof log.args>
      if (a.nonce < next) continue
      // A gap means logs below the cursor were missed (e.g. an L1 reorg): rescan from genesis next time.
      if (a.nonce > next) {
        cursor = 0n
        return count
      }
      const hash = await opts.l2Wallet.writeContract({
        address: opts.l2Bridge,
        abi: l2BridgeAbi,
        functionName: 'finalizeDepositWithNonce',
        args: [a.nonce, a.l1Token, a.l2Token, a.from, a.to, a.amount, a.extraData],
        // ETH deposits are paid out of the relayer's own L2 balance, like the messenger passing msg.value.
        value: a.l1Token === zeroAddress ? a.amount : 0n,
      })
      const receipt = await opts.l2.waitForTransactionReceipt({ hash, pollingInterval: 20, timeout: 30_000 })
      if (receipt.status !== 'success') throw new Error(`finalize of L1 deposit ${a.nonce} reverted in ${hash}`)
      next = a.nonce + 1n
      relayed++
      count++
    }
    cursor = head + 1n
    lastScannedHash = headBlock.hash
    return count
  }

  const poll = startPollLoop(relayOnce, pollMs, opts.onError)

  return {
    address: opts.l2Wallet.account.address,
    relayedCount: () => relayed,
    tick: poll.tick,
    stop: poll.stop,
  }
}
