// Devnet Across deployment: the published SpokePool bytecode behind ERC1967 proxies on both chains, plus relayer inventory.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import {
  encodeFunctionData,
  maxUint256,
  parseEther,
  parseUnits,
  zeroAddress,
  type Abi,
  type Address,
  type Hex,
} from 'viem'
import { ownArtifact, uniswapArtifact, type Artifact } from './devnet-artifacts.ts'

const require = createRequire(import.meta.url)
const cache = new Map<string, Artifact>()

/** Contracts taken unmodified from `@across-protocol/contracts` (dist/evm/artifacts). */
export type AcrossContract = 'Ethereum_SpokePool' | 'OP_SpokePool' | 'ERC1967Proxy'

/** One Across artifact exactly as published (no linked libraries, deployed as is). */
export function acrossArtifact(name: AcrossContract): Artifact {
  let a = cache.get(name)
  if (!a) {
    const json = JSON.parse(
      readFileSync(require.resolve(`@across-protocol/contracts/dist/evm/artifacts/${name}.sol/${name}.json`), 'utf8'),
    ) as { abi: Abi; bytecode: string }
    a = { abi: json.abi, bytecode: (json.bytecode.startsWith('0x') ? json.bytecode : `0x${json.bytecode}`) as Hex }
    cache.set(name, a)
  }
  return a
}

/** The setup-transaction batch of scripts/devnet.ts (signed locally, sent at once, confirmed by receipt). */
export interface SetupBatch {
  deploy(a: Artifact, args?: readonly unknown[]): Address
  call(to: Address, abi: Abi, functionName: string, args: readonly unknown[], value?: bigint): void
  sendAndConfirm(): Promise<void>
}

/** Mainnet SpokePool settings: quotes may be an hour old, fills may be asked for up to six hours ahead. */
export const ACROSS_DEPOSIT_QUOTE_TIME_BUFFER = 3_600
export const ACROSS_FILL_DEADLINE_BUFFER = 21_600

/** What the Across deployment needs from the rest of the devnet. */
export interface AcrossDeployInput {
  /** One batch per chain, both signed by `relayer`: it deploys, owns (admin) and fills. */
  l1: SetupBatch
  l2: SetupBatch
  relayer: Address
  l1Weth: Address
  l2Weth: Address
  l1Tokens: { USDC: Address; DAI: Address }
  l2Tokens: { USDC: Address; DAI: Address }
  /** The relayer's L2 stables come over the devnet's OP bridge (the L2 tokens are mintable by that bridge only). */
  l1StandardBridge: Address
}

/** Relayer inventory per chain: ETH is wrapped to WETH (fills of native deposits pay out of WETH). */
const INVENTORY = { weth: parseEther('1000'), usdc: parseUnits('1000000', 6), dai: parseUnits('1000000', 18) }

/**
 * Deploys Ethereum_SpokePool on L1 and OP_SpokePool on L2, each behind an ERC1967Proxy initialized in its
 * constructor (as Across deploys them), and gives the relayer inventory and approvals on both chains. The relayer
 * account must hold ETH on both chains. Returns the proxy addresses (what deposits and fills call).
 */
export async function deployAcross(i: AcrossDeployInput): Promise<{ l1: Address; l2: Address }> {
  const proxy = acrossArtifact('ERC1967Proxy')
  const l1Pool = acrossArtifact('Ethereum_SpokePool')
  const l2Pool = acrossArtifact('OP_SpokePool')
  const token = ownArtifact('TestERC20').abi
  const weth = uniswapArtifact('WETH9').abi

  // L1: no gateway and no OFT messaging; the relayer is the owner (the HubPool on mainnet) and withdrawal recipient.
  const l1Impl = i.l1.deploy(l1Pool, [
    i.l1Weth,
    ACROSS_DEPOSIT_QUOTE_TIME_BUFFER,
    ACROSS_FILL_DEADLINE_BUFFER,
    zeroAddress,
  ])
  const l1Init = encodeFunctionData({ abi: l1Pool.abi, functionName: 'initialize', args: [0, i.relayer] })
  const l1Proxy = i.l1.deploy(proxy, [l1Impl, l1Init])
  // L2: no native USDC/CCTP on the devnet; the relayer stands in for the cross-domain admin and the HubPool.
  const l2Impl = i.l2.deploy(l2Pool, [
    i.l2Weth,
    ACROSS_DEPOSIT_QUOTE_TIME_BUFFER,
    ACROSS_FILL_DEADLINE_BUFFER,
    zeroAddress,
    zeroAddress,
    zeroAddress,
  ])
  const l2Init = encodeFunctionData({ abi: l2Pool.abi, functionName: 'initialize', args: [0, i.relayer, i.relayer] })
  const l2Proxy = i.l2.deploy(proxy, [l2Impl, l2Init])

  const bridgeAbi = ownArtifact('L1StandardBridge').abi
  i.l1.call(i.l1Tokens.USDC, token, 'mint', [i.relayer, 2n * INVENTORY.usdc])
  i.l1.call(i.l1Tokens.DAI, token, 'mint', [i.relayer, 2n * INVENTORY.dai])
  for (const [l1Token, l2Token, amount] of [
    [i.l1Tokens.USDC, i.l2Tokens.USDC, INVENTORY.usdc],
    [i.l1Tokens.DAI, i.l2Tokens.DAI, INVENTORY.dai],
  ] as const) {
    i.l1.call(l1Token, token, 'approve', [i.l1StandardBridge, amount])
    i.l1.call(i.l1StandardBridge, bridgeAbi, 'depositERC20To', [l1Token, l2Token, i.relayer, amount, 200_000, '0x'])
  }
  for (const [b, pool, wethAddr, tokens] of [
    [i.l1, l1Proxy, i.l1Weth, i.l1Tokens],
    [i.l2, l2Proxy, i.l2Weth, i.l2Tokens],
  ] as const) {
    b.call(wethAddr, weth, 'deposit', [], INVENTORY.weth)
    // Fills pull the output token from the relayer: approve the pool once for the whole inventory.
    for (const t of [wethAddr, tokens.USDC, tokens.DAI]) b.call(t, token, 'approve', [pool, maxUint256])
  }
  await Promise.all([i.l1.sendAndConfirm(), i.l2.sendAndConfirm()])
  return { l1: l1Proxy, l2: l2Proxy }
}
