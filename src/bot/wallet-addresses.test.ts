import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, describe, expect, it } from 'vitest'
import { encryptKeystore } from '../chain/keystore-file.ts'
import { parseConfig } from '../config/load.ts'
import { ANVIL_TEST_KEYS } from '../devnet/anvil.ts'
import { walletAddresses } from './wallet-addresses.ts'

const dir = mkdtempSync(join(tmpdir(), 'bot-wallet-addr-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const KEY = ANVIL_TEST_KEYS[2]! as `0x${string}`
const ENV_KEY = ANVIL_TEST_KEYS[3]! as `0x${string}`

describe('wallet addresses without passphrases', () => {
  it('reads address:, a v3 keystore public address, a key env var, and names the wallet it cannot read', async () => {
    const keystore = join(dir, 'ops.json')
    writeFileSync(keystore, (await encryptKeystore(KEY, 'a passphrase nobody types here')).json)
    const config = await parseConfig(
      {
        chains: [{ id: 1, name: 'ethereum', rpcUrls: ['http://127.0.0.1:1'] }],
        wallets: [
          { name: 'given', address: '0x000000000000000000000000000000000000bEEF', keystore: join(dir, 'none.json') },
          { name: 'ops', keystore },
          { name: 'hot', privateKeyEnv: 'HOT_KEY' },
          { name: 'cold', privateKeyEnv: 'COLD_KEY' },
          { name: 'lost', keystore: join(dir, 'missing.json') },
        ],
      },
      'test',
    )
    const r = walletAddresses(config, { HOT_KEY: ENV_KEY })
    expect(Object.fromEntries(r.addresses)).toEqual({
      given: '0x000000000000000000000000000000000000bEEF',
      ops: privateKeyToAccount(KEY).address,
      hot: privateKeyToAccount(ENV_KEY).address,
    })
    expect(r.issues.map((i) => i.path)).toEqual(['wallets[3]', 'wallets[4]'])
    expect(r.issues[0]!.message).toBe('the address of wallet "cold" cannot be read without its key')
    expect(JSON.stringify(r.issues)).not.toContain(ENV_KEY.slice(2))
  })
})
