// An adapter written from protocols/README.md ("Add a protocol adapter") alone registers and runs on the devnet.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeFunctionData, parseUnits } from 'viem'
import { z } from 'zod'
import { ValidationError } from '../../src/errors/validation-error.ts'
import { createDefaultRegistry } from '../../protocols/index.ts'
import { prepareAdapterCalls } from '../../protocols/registry.ts'
import { AdapterRegistryError } from '../../protocols/shared/errors.ts'
// The README's worked example, verbatim from here on (imports adjusted to this file's location).
import { tokenBalance } from '../../protocols/shared/approval.ts'
import { erc20Abi } from '../../protocols/shared/erc20-abi.ts'
import { AdapterPreconditionError, paramError } from '../../protocols/shared/errors.ts'
import { addressSchema, amountSchema, chainIdSchema, tokenSymbolSchema } from '../../protocols/shared/params.ts'
import { NATIVE, requireOwnWallet, resolveChain, resolveToken } from '../../protocols/shared/resolve.ts'
import { defineAdapter } from '../../protocols/types.ts'
import { ownArtifact } from '../../src/devnet/devnet-artifacts.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { createEngineExecutor } from './executor.ts'
import { devnetContext, erc20BalanceOf } from './harness.ts'

const ID = 'erc20-transfer'

export const erc20TransferParams = z.object({
  chainId: chainIdSchema,
  token: tokenSymbolSchema,
  to: addressSchema,
  amount: amountSchema,
})

export const erc20TransferAdapter = defineAdapter<z.output<typeof erc20TransferParams>>({
  id: ID,
  kind: 'transfer',
  description: 'ERC-20 transfer to another own wallet',
  params: erc20TransferParams,
  async buildCalls(ctx, p) {
    // 1. Address book only: wrong chain, unknown token or a stranger is a ValidationError, before any RPC.
    const token = resolveToken(ID, resolveChain(ID, ctx, p.chainId), p.token, 'token')
    if (token === NATIVE) throw paramError(ID, 'token', 'use native-transfer for ETH')
    requireOwnWallet(ID, ctx, p.to, 'to')
    // 2. Read-only checks.
    const balance = await tokenBalance(ctx, p.chainId, token.address, ctx.wallet)
    if (balance < p.amount) throw new AdapterPreconditionError(ID, `wallet holds ${balance} ${p.token}, needs ${p.amount}`)
    // 3. The exact call; the engine signs and sends it.
    return [{
      chainId: p.chainId, to: token.address, value: 0n, label: `transfer ${p.amount} ${p.token} to ${p.to}`,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [p.to, p.amount] }),
    }]
  },
})

let devnet: Devnet
beforeAll(async () => { devnet = await startDevnet({ addressesPath: null, relayer: false }) })
afterAll(async () => { await devnet?.stop() })

describe('adding an adapter per the README', () => {
  it('registers next to the built-ins without editing core files and runs end to end', async () => {
    const registry = createDefaultRegistry([erc20TransferAdapter])
    expect(registry.has('erc20-transfer')).toBe(true)
    expect(registry.has('uniswap-v2')).toBe(true)
    const [from, to] = [devnet.accounts[1]!, devnet.accounts[2]!]
    const exec = createEngineExecutor(devnet, from.privateKey)
    const dai = devnet.addresses.l1.tokens.DAI
    await exec.executeCalls([{ chainId: devnet.l1.chainId, to: dai, value: 0n, label: 'mint',
      data: encodeFunctionData({ abi: ownArtifact('TestERC20').abi, functionName: 'mint', args: [from.address, parseUnits('10', 18)] }) }])
    const ctx = devnetContext(devnet, from.address)
    const amount = parseUnits('4', 18)
    const { calls } = await prepareAdapterCalls(registry.get('erc20-transfer'), ctx, { chainId: devnet.l1.chainId, token: 'DAI', to: to.address, amount: `${amount} wei` })
    await exec.executeCalls(calls)
    expect(await erc20BalanceOf(devnet.l1, dai, from.address)).toBe(parseUnits('6', 18))
    expect(await erc20BalanceOf(devnet.l1, dai, to.address)).toBe(amount)
    // The shared helpers give it the same guarantees as the built-ins.
    const bad = await prepareAdapterCalls(registry.get('erc20-transfer'), devnetContext(devnet, from.address),
      { chainId: devnet.l1.chainId, token: 'DAI', to: '0x000000000000000000000000000000000000dEaD', amount: '1 wei' }).catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(ValidationError)
  })

  it('the adapter above is the README example, word for word', () => {
    const readme = readFileSync(new URL('../../protocols/README.md', import.meta.url), 'utf8')
    const example = /Worked example[^]*?```ts\n([^]*?)```/.exec(readme)?.[1] ?? ''
    const body = (src: string) => src.slice(src.indexOf("const ID = 'erc20-transfer'"), src.indexOf('\n})\n', src.indexOf('export const erc20TransferAdapter')) + 4)
    const mine = readFileSync(new URL(import.meta.url), 'utf8')
    expect(body(example).length).toBeGreaterThan(500)
    expect(body(mine)).toBe(body(example))
  })

  it('refuses a second adapter with the same id', () => {
    expect(() => createDefaultRegistry([erc20TransferAdapter, erc20TransferAdapter])).toThrow(AdapterRegistryError)
    expect(() => createDefaultRegistry([{ ...erc20TransferAdapter, id: 'uniswap-v2' }])).toThrow(/registered twice/)
    expect(() => createDefaultRegistry().get('nope')).toThrow(/unknown adapter "nope"/)
  })
})
