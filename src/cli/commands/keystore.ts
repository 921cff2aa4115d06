// `bot keystore new|import`: creates or imports an encrypted keystore; passphrase from env or a hidden prompt only.
import { defineCommand, type CommandContext } from '../command.ts'
import { UsageError } from '../errors.ts'

/** Environment variable read for the keystore passphrase when no terminal prompt is possible. */
export const PASSPHRASE_ENV = 'BOT_KEYSTORE_PASSPHRASE'
const MIN_PASSPHRASE = 8
const KEY = /^(0x)?[0-9a-fA-F]{64}$/
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/

export const keystoreCommand = defineCommand({
  name: 'keystore',
  summary: 'create (new) or import an encrypted JSON keystore; keys and passphrases are never arguments',
  usage: 'keystore new [--out <path>]\n       bot keystore import [--out <path>] [--key-env <NAME> | --stdin]',
  examples: [
    'bot keystore new                                   prompts for a passphrase (twice)',
    'BOT_KEYSTORE_PASSPHRASE=... bot keystore new --out keys/ops.json',
    'bot keystore import                                prompts for the key (hidden) and the passphrase',
    'bot keystore import --key-env OLD_KEY              reads the key from the env var OLD_KEY',
    'pass show ops-key | bot keystore import --stdin    reads the key from stdin',
  ],
  options: {
    out: {
      type: 'string',
      valueName: '<path>',
      description: 'where to write it (default .state/keystores/<address>.json; never overwritten)',
    },
    'key-env': { type: 'string', valueName: '<NAME>', description: 'import: NAME of the env var holding the key' },
    stdin: { type: 'boolean', description: 'import: read the key from stdin' },
  },
  positionals: { min: 1, max: 1, names: '"new" or "import"' },
  needsConfig: false,
  async run(ctx) {
    const action = ctx.positionals[0]
    if (action !== 'new' && action !== 'import') {
      throw new UsageError('keystore takes "new" or "import"', 'e.g. `bot keystore new`')
    }
    const out = ctx.values.out as string | undefined
    if (action === 'new' && (ctx.values['key-env'] !== undefined || ctx.values.stdin === true)) {
      throw new UsageError('--key-env and --stdin are for `keystore import`', 'use `bot keystore import`')
    }
    const privateKey = action === 'import' ? await readKey(ctx) : undefined
    const passphrase = await readPassphrase(ctx, action === 'new' || privateKey !== undefined)
    const progress = ctx.out.progress('encrypting (scrypt)')
    try {
      const r =
        action === 'new'
          ? await ctx.services.keystoreNew({ ...(out ? { out } : {}), passphrase })
          : await ctx.services.keystoreImport({ ...(out ? { out } : {}), passphrase, privateKey: privateKey as string })
      progress.succeed(`keystore written: ${r.path}`)
      ctx.out.result(r, () =>
        ctx.out.line(
          `address ${r.address}\nfile    ${r.path}\nuse it: wallets: [{ name: "...", keystore: "${r.path}" }]`,
        ),
      )
    } catch (err) {
      progress.fail()
      throw err
    }
  },
})

async function readKey(ctx: CommandContext): Promise<string> {
  const envName = ctx.values['key-env'] as string | undefined
  let key: string
  if (envName !== undefined) {
    if (!ENV_NAME.test(envName))
      throw new UsageError('--key-env takes the NAME of an env var (A-Z, 0-9, _)', 'e.g. --key-env OLD_KEY')
    const v = ctx.env[envName]
    if (v === undefined || v === '')
      throw new UsageError(
        `env var ${envName} is not set`,
        `export ${envName} first, or omit --key-env to type the key`,
      )
    key = v
  } else if (ctx.values.stdin === true) {
    key = await ctx.readStdin()
  } else if (ctx.interactive) {
    key = await ctx.prompt('private key (hidden): ', true)
  } else {
    throw new UsageError('no key source: stdin is not a terminal', 'use --stdin to pipe the key, or --key-env <NAME>')
  }
  key = key.trim()
  if (!KEY.test(key))
    throw new UsageError(
      'that is not a private key (expected 64 hex digits, 0x optional)',
      'check what you pasted; it is not shown here',
    )
  return key.startsWith('0x') ? key : `0x${key}`
}

async function readPassphrase(ctx: CommandContext, confirm: boolean): Promise<string> {
  const fromEnv = ctx.env[PASSPHRASE_ENV]
  let pass: string
  if (fromEnv !== undefined && fromEnv !== '') {
    pass = fromEnv
  } else if (ctx.interactive) {
    pass = await ctx.prompt('keystore passphrase: ', true)
    if (confirm && (await ctx.prompt('repeat passphrase: ', true)) !== pass) {
      throw new UsageError('the passphrases differ', 'run the command again')
    }
  } else {
    throw new UsageError(
      `no passphrase: set ${PASSPHRASE_ENV} or run in a terminal to be prompted`,
      `e.g. in the systemd EnvironmentFile: ${PASSPHRASE_ENV}=...`,
    )
  }
  if (pass.length < MIN_PASSPHRASE)
    throw new UsageError(`the passphrase is too short (at least ${MIN_PASSPHRASE} characters)`, 'choose a longer one')
  return pass
}
