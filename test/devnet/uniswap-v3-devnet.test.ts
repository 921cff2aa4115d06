// The devnet's Uniswap V3: real published bytecode, init code hash agreement, and pools seeded through the position manager.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAddressEqual, keccak256, type Address, type Hex } from 'viem'
import { erc20Abi } from '../../protocols/shared/erc20-abi.ts'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import {
  assertPoolInitCodeHash,
  computePoolAddress,
  peripheryPoolInitCodeHash,
  UNISWAP_V3_POOLS,
  uniswapV3Artifact,
} from '../../src/devnet/devnet-uniswap-v3.ts'

let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayer: false })
})
afterAll(async () => {
  await devnet?.stop()
})

describe('devnet uniswap v3', () => {
  it('the pool creation code hashes to the periphery POOL_INIT_CODE_HASH', () => {
    expect(keccak256(uniswapV3Artifact('UniswapV3Pool').bytecode)).toBe(peripheryPoolInitCodeHash())
    expect(assertPoolInitCodeHash()).toBe('0xe34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54')
    // A pool compiled differently (here: one byte changed) must stop the deployment, not route to empty addresses.
    const code = uniswapV3Artifact('UniswapV3Pool').bytecode
    const patched: Hex = `0x${code.slice(2, -2)}${code.endsWith('00') ? '01' : '00'}`
    expect(() => assertPoolInitCodeHash(patched)).toThrow(
      /UniswapV3Pool creation code hashes to 0x[0-9a-f]{64}, the periphery expects 0xe34f199b/,
    )
  })

  it('runs the published runtime bytecode at the booked addresses', async () => {
    const v3 = devnet.addresses.l1.uniswapV3!
    const pairs = [
      ['uniswapV3Factory', 'UniswapV3Factory'],
      ['swapRouter02', 'SwapRouter02'],
      ['quoterV2', 'QuoterV2'],
      ['nonfungiblePositionManager', 'NonfungiblePositionManager'],
    ] as const
    for (const [key, name] of pairs) {
      const code = await devnet.l1.client.getCode({ address: v3[key] })
      // Immutables are filled in at deploy, so compare lengths and the constant prefix rather than every byte.
      expect(code?.length, name).toBe(uniswapV3Artifact(name).deployedBytecode.length)
      expect(code?.slice(0, 64), name).toBe(uniswapV3Artifact(name).deployedBytecode.slice(0, 64))
      expect(devnet.book[devnet.l1.chainId]!.contracts[key]).toBe(v3[key])
    }
  })

  it('every seeded pool sits where the periphery computes it, holds liquidity and the seeded price', async () => {
    const v3 = devnet.addresses.l1.uniswapV3!
    const addr: Record<string, Address> = { WETH: devnet.addresses.l1.weth, ...devnet.addresses.l1.tokens }
    const factory = uniswapV3Artifact('UniswapV3Factory')
    const pool = uniswapV3Artifact('UniswapV3Pool')
    for (const p of UNISWAP_V3_POOLS) {
      const onChain = (await devnet.l1.client.readContract({
        address: v3.uniswapV3Factory,
        abi: factory.abi,
        functionName: 'getPool',
        args: [addr[p.a], addr[p.b], p.fee],
      })) as Address
      expect(
        isAddressEqual(onChain, computePoolAddress(v3.uniswapV3Factory, addr[p.a]!, addr[p.b]!, p.fee)),
        `${p.a}/${p.b} ${p.fee}`,
      ).toBe(true)
      expect(
        await devnet.l1.client.readContract({ address: onChain, abi: pool.abi, functionName: 'liquidity' }),
      ).toBeGreaterThan(0n)
      const balA = await devnet.l1.client.readContract({
        address: addr[p.a]!,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [onChain],
      })
      // Full-range liquidity at the ratio's own price takes (nearly) all of both amounts.
      expect((balA * 1000n) / p.amountA).toBeGreaterThanOrEqual(999n)
    }
    // No DAI/WETH pool: multi-hop routes go through USDC.
    expect(
      await devnet.l1.client.readContract({
        address: v3.uniswapV3Factory,
        abi: factory.abi,
        functionName: 'getPool',
        args: [addr.DAI, addr.WETH, 500],
      }),
    ).toBe('0x0000000000000000000000000000000000000000')
  })
})
