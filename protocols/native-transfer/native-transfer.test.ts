// native-transfer: only to another own wallet, only with gas money left over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.ts'
import { devnetContext } from '../../test/devnet/harness.ts'
import { ValidationError } from '../../src/errors/validation-error.ts'
import { prepareAdapterCalls } from '../registry.ts'
import { AdapterPreconditionError } from '../shared/errors.ts'
import { nativeTransferAdapter } from './index.ts'

let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ addressesPath: null, relayer: false })
})
afterAll(async () => {
  await devnet?.stop()
})

describe('native-transfer', () => {
  it('builds one plain value call to an own wallet', async () => {
    const [me, other] = [devnet.accounts[1]!.address, devnet.accounts[2]!.address]
    const { calls } = await prepareAdapterCalls(nativeTransferAdapter, devnetContext(devnet, me), {
      chainId: devnet.l2.chainId,
      to: other.toLowerCase(),
      amount: '12345 wei',
    })
    expect(calls).toEqual([
      { chainId: devnet.l2.chainId, to: other, value: 12345n, data: '0x', label: expect.stringContaining('12345 wei') },
    ])
  })

  it('refuses wallets outside ownWallets and amounts that leave nothing for gas', async () => {
    const [me, other] = [devnet.accounts[1]!.address, devnet.accounts[2]!.address]
    const onlyMe = devnetContext(devnet, me, { ownWallets: [me] })
    const stranger = await prepareAdapterCalls(nativeTransferAdapter, onlyMe, {
      chainId: devnet.l1.chainId,
      to: other,
      amount: '1 wei',
    }).catch((e: unknown) => e)
    expect(stranger).toBeInstanceOf(ValidationError)
    expect(onlyMe.rpcLog).toEqual([])
    const all = await devnet.l1.client.getBalance({ address: me })
    const broke = await prepareAdapterCalls(nativeTransferAdapter, devnetContext(devnet, me), {
      chainId: devnet.l1.chainId,
      to: other,
      amount: `${all} wei`,
    }).catch((e: unknown) => e)
    expect(broke).toBeInstanceOf(AdapterPreconditionError)
    expect((broke as Error).message).toMatch(/plus gas/)
  })
})
