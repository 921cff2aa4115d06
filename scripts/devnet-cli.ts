// `npm run devnet`: starts the two-chain devnet, prints RPC URLs, addresses and test accounts; Ctrl-C stops it.
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { serializeError } from '../src/logging/logger.ts'
import { startDevnet, DEVNET_L1_CHAIN_ID, DEVNET_L2_CHAIN_ID, type Devnet } from '../src/devnet/devnet.ts'

const USAGE = `usage: npm run devnet -- [--addresses <path>] [--l1-chain-id N] [--l2-chain-id N] [--no-relayer] [--measure N]
  --addresses   where to write the addresses JSON (default .state/devnet/addresses.json)
  --measure N   start and stop the devnet N times, print setup times, and exit`

/** Prints what a person needs to point a wallet, the bot's config or cast at the devnet. */
function describeDevnet(d: Devnet, addressesPath: string | null): string {
  const lines = [
    `L1  chain ${d.l1.chainId}  ${d.l1.rpcUrl}`,
    `L2  chain ${d.l2.chainId}  ${d.l2.rpcUrl}`,
    `setup ${Math.round(d.setupMs)} ms (deploys + liquidity, after both anvils answered)`,
    addressesPath ? `addresses written to ${resolve(addressesPath)}` : 'addresses file: not written',
    '',
    JSON.stringify(d.addresses, null, 2),
    '',
    "test accounts (anvil's PUBLIC well-known keys: devnet only, never fund them on a real chain):",
    ...d.accounts.map(
      (a, i) => `  [${i}] ${a.address}  ${a.privateKey}${i === 0 ? '  (deployer, feed owner, 1M USDC/DAI)' : ''}`,
    ),
    `relayer ${d.addresses.relayer} (finalizes L1 deposits on L2${d.relayer ? '' : '; NOT running'})`,
  ]
  return lines.join('\n')
}

async function measure(runs: number): Promise<void> {
  const setup: number[] = []
  const total: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    const d = await startDevnet({ addressesPath: null, relayer: false })
    total.push(performance.now() - t0)
    setup.push(d.setupMs)
    await d.stop()
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  console.log(
    `devnet setup over ${runs} runs: median ${Math.round(median(setup))} ms deploy+liquidity, ` +
      `median ${Math.round(median(total))} ms including anvil start (min ${Math.round(Math.min(...total))}, max ${Math.round(Math.max(...total))})`,
  )
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      addresses: { type: 'string' },
      'l1-chain-id': { type: 'string' },
      'l2-chain-id': { type: 'string' },
      'no-relayer': { type: 'boolean' },
      measure: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  if (values.measure) {
    await measure(Number(values.measure))
    return
  }
  const addressesPath = values.addresses ?? '.state/devnet/addresses.json'
  const devnet = await startDevnet({
    addressesPath,
    l1ChainId: values['l1-chain-id'] ? Number(values['l1-chain-id']) : DEVNET_L1_CHAIN_ID,
    l2ChainId: values['l2-chain-id'] ? Number(values['l2-chain-id']) : DEVNET_L2_CHAIN_ID,
    relayer: !values['no-relayer'],
    aaveV3: true,
    onRelayerError: (err) => console.error('relayer error (will retry):', serializeError(err).message),
  })
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`\n${signal}: stopping devnet...`)
    devnet.stop().then(
      () => {
        console.log('stopped')
        process.exit(0)
      },
      (err: unknown) => {
        console.error('stop failed:', serializeError(err).message)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  // Announce readiness only once the handlers are in place, so an immediate Ctrl-C is always handled.
  console.log(describeDevnet(devnet, addressesPath))
  console.log('\nrunning; Ctrl-C to stop')
}

main().catch((err: unknown) => {
  console.error('devnet failed:', serializeError(err).message)
  process.exit(1)
})
