// Devnet Across relayer: follows SpokePool deposits on every chain and fills each once on its destination chain.
import { startPollLoop } from './poll-loop.ts'
import {
  getAddress,
  isAddressEqual,
  pad,
  sliceHex,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { erc20Abi } from '../../protocols/shared/erc20-abi.ts'
import { FILL_STATUS_FILLED, spokePoolAbi } from '../../protocols/across/abi.ts'

/** One chain the relayer watches and fills on. */
export interface AcrossRelayerChain {
  chainId: number
  client: PublicClient
  /** Signs fills; holds the output tokens and has approved the SpokePool for them. */
  wallet: WalletClient<Transport, Chain, Account>
  spokePool: Address
  /** Tokens by symbol (WETH included): a deposit is filled only when its input and output are the same symbol. */
  tokens: Record<string, Address>
}

/** Where the relayer reads and writes. */
export interface AcrossRelayerOptions {
  chains: AcrossRelayerChain[]
  /** Delay between polls (default 250 ms: fills still land well under a second, with fewer RPCs on shared machines). */
  pollMs?: number
  /** Called with every failure; the relayer keeps going and retries on the next poll. */
  onError?: (err: unknown) => void
}

/** A running Across relayer. */
export interface AcrossRelayer {
  address: Address
  /** Fills sent (and confirmed) by this relayer since it started. */
  filledCount(): number
  /** Runs one poll now; returns how many deposits it filled. */
  tick(): Promise<number>
  /** Stops polling and waits for an in-flight poll to finish. */
  stop(): Promise<void>
}

type RelayData = {
  depositor: Hex
  recipient: Hex
  exclusiveRelayer: Hex
  inputToken: Hex
  outputToken: Hex
  inputAmount: bigint
  outputAmount: bigint
  originChainId: bigint
  depositId: bigint
  fillDeadline: number
  exclusivityDeadline: number
  message: Hex
}

const toAddress = (b: Hex): Address => getAddress(sliceHex(b, 12))

/**
 * Starts polling every chain's SpokePool for `FundsDeposited` and calling `fillRelay` on the destination. Before
 * each fill it reads the relay's fill status, so a restart, a rescan or a second relayer never fills twice (and
 * the SpokePool itself refuses a second fill with RelayFilled). Deposits it cannot fill yet (inventory short) stay
 * pending until their fill deadline; deposits whose tokens do not match, or that ask for more than they put in,
 * are ignored, as a real relayer would.
 */
export function startAcrossRelayer(opts: AcrossRelayerOptions): AcrossRelayer {
  const pollMs = opts.pollMs ?? 250
  const byId = new Map(opts.chains.map((c) => [c.chainId, c]))
  const scan = new Map(opts.chains.map((c) => [c.chainId, { cursor: 0n, lastHash: undefined as Hex | undefined }]))
  const pending = new Map<string, { dest: AcrossRelayerChain; relay: RelayData }>()
  const address = opts.chains[0]!.wallet.account.address
  let filled = 0

  const symbolOf = (c: AcrossRelayerChain, token: Address) =>
    Object.entries(c.tokens).find(([, a]) => isAddressEqual(a, token))?.[0]

  const scanOrigin = async (origin: AcrossRelayerChain): Promise<void> => {
    const s = scan.get(origin.chainId)!
    const head = await origin.client.getBlock({ blockTag: 'latest' })
    // The chain went back or forked under the last scanned block: rescan from genesis (fill status skips fills done).
    if (s.cursor > 0n) {
      const last =
        head.number >= s.cursor - 1n ? await origin.client.getBlock({ blockNumber: s.cursor - 1n }) : undefined
      if (last?.hash !== s.lastHash) {
        s.cursor = 0n
        // A deposit that was reorged away must not be paid: forget this origin's pending ones; the rescan re-adds the rest.
        for (const key of pending.keys()) if (key.startsWith(`${origin.chainId}:`)) pending.delete(key)
      }
    }
    if (head.number < s.cursor) return
    const logs = await origin.client.getContractEvents({
      address: origin.spokePool,
      abi: spokePoolAbi,
      eventName: 'FundsDeposited',
      fromBlock: s.cursor,
      toBlock: head.number,
    })
    for (const log of logs) {
      const a = log.args as Required<typeof log.args>
      const dest = byId.get(Number(a.destinationChainId))
      if (!dest || dest === origin) continue
      const inSymbol = symbolOf(origin, toAddress(a.inputToken))
      if (!inSymbol || inSymbol !== symbolOf(dest, toAddress(a.outputToken)) || a.outputAmount > a.inputAmount) continue
      pending.set(`${origin.chainId}:${a.depositId}`, {
        dest,
        relay: {
          depositor: a.depositor,
          recipient: a.recipient,
          exclusiveRelayer: a.exclusiveRelayer,
          inputToken: a.inputToken,
          outputToken: a.outputToken,
          inputAmount: a.inputAmount,
          outputAmount: a.outputAmount,
          originChainId: BigInt(origin.chainId),
          depositId: a.depositId,
          fillDeadline: a.fillDeadline,
          exclusivityDeadline: a.exclusivityDeadline,
          message: a.message,
        },
      })
    }
    s.cursor = head.number + 1n
    s.lastHash = head.hash
  }

  /** Fills one pending deposit; true when it is done with (filled by anyone, or expired). */
  const fill = async ({
    dest,
    relay,
  }: {
    dest: AcrossRelayerChain
    relay: RelayData
  }): Promise<'filled' | 'done' | 'wait'> => {
    const read = <T>(
      functionName: 'getV3RelayHash' | 'fillStatuses' | 'getCurrentTime',
      args: readonly unknown[] = [],
    ) =>
      dest.client.readContract({
        address: dest.spokePool,
        abi: spokePoolAbi,
        functionName,
        args,
      } as never) as Promise<T>
    const hash = await read<Hex>('getV3RelayHash', [relay])
    if ((await read<bigint>('fillStatuses', [hash])) === FILL_STATUS_FILLED) return 'done'
    if (BigInt(relay.fillDeadline) < (await read<bigint>('getCurrentTime'))) return 'done'
    const outputToken = toAddress(relay.outputToken)
    const have = await dest.client.readContract({
      address: outputToken,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [address],
    })
    if (have < relay.outputAmount) return 'wait'
    const tx = await dest.wallet.writeContract({
      address: dest.spokePool,
      abi: spokePoolAbi,
      functionName: 'fillRelay',
      args: [relay, BigInt(dest.chainId), pad(address)],
    })
    const receipt = await dest.client.waitForTransactionReceipt({ hash: tx, pollingInterval: 20, timeout: 30_000 })
    if (receipt.status !== 'success')
      throw new Error(`fill of deposit ${relay.originChainId}:${relay.depositId} reverted in ${tx}`)
    return 'filled'
  }

  const relayOnce = async (): Promise<number> => {
    for (const c of opts.chains) await scanOrigin(c)
    let count = 0
    for (const [key, p] of pending) {
      if (poll.stopped()) break
      const outcome = await fill(p)
      if (outcome !== 'wait') pending.delete(key)
      if (outcome === 'filled') {
        filled++
        count++
      }
    }
    return count
  }

  const poll = startPollLoop(relayOnce, pollMs, opts.onError)

  return {
    address,
    filledCount: () => filled,
    tick: poll.tick,
    stop: poll.stop,
  }
}
