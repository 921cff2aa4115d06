// `bot token new|list|revoke`: API tokens for the operations server; the token is printed once, only its hash is kept.
import { defineCommand } from '../command.ts'
import { UsageError } from '../errors.ts'
import { ROLES } from '../../access/roles.ts'

const ACTIONS = ['new', 'list', 'revoke']

export const tokenCommand = defineCommand({
  name: 'token',
  summary: 'create (new), list or revoke API tokens for the operations server; roles viewer, operator, admin',
  usage:
    'token new --name <name> --role <viewer|operator|admin>\n       bot token list\n       bot token revoke <name>',
  examples: [
    'bot token new --name grafana --role viewer      prints the token once; store it now',
    'bot token new --name ops --role operator        may run, pause and resume jobs',
    'bot token list',
    'bot token revoke grafana                        takes effect on the next request, also on a running bot',
  ],
  options: {
    name: { type: 'string', valueName: '<name>', description: "new: the token's name (shown in the audit log)" },
    role: { type: 'string', valueName: '<role>', description: `new: one of ${ROLES.join(', ')}` },
  },
  positionals: { min: 1, max: 2, names: '"new", "list" or "revoke <name>"' },
  async run(ctx) {
    const [action, target] = ctx.positionals
    if (!ACTIONS.includes(action as string))
      throw new UsageError(`token takes ${ACTIONS.join(', ')}`, 'e.g. `bot token new --name ops --role operator`')
    if (action === 'new') {
      const name = ctx.values.name as string | undefined
      const role = ctx.values.role as string | undefined
      if (!name) throw new UsageError('`bot token new` needs --name', 'e.g. --name grafana')
      if (!role || !(ROLES as readonly string[]).includes(role))
        throw new UsageError(`--role must be one of ${ROLES.join(', ')}`, 'e.g. --role viewer')
      const { token, info } = await ctx.services.tokenNew({ name, role })
      ctx.out.result({ ...info, token }, () => {
        ctx.out.line(`token ${info.name} (${info.role}) created; it is shown only now:\n${token}`)
        ctx.out.line('send it as `Authorization: Bearer <token>`')
      })
      return
    }
    if (action === 'list') {
      const rows = await ctx.services.tokenList()
      ctx.out.result(rows, () => {
        if (rows.length === 0) ctx.out.line('no tokens in the state (env tokens are read by `bot run` only)')
        for (const t of rows) {
          const state = t.revokedAt ? `revoked ${new Date(t.revokedAt).toISOString()}` : 'active'
          ctx.out.line(
            `${t.name.padEnd(24)} ${t.role.padEnd(9)} ${state}  created ${t.createdAt ? new Date(t.createdAt).toISOString() : '-'}`,
          )
        }
      })
      return
    }
    if (!target)
      throw new UsageError(
        '`bot token revoke` needs the token name',
        'e.g. `bot token revoke grafana` (see `bot token list`)',
      )
    if (!(await ctx.services.tokenRevoke(target))) {
      throw new UsageError(`no active token named "${target.slice(0, 64)}"`, 'see `bot token list`')
    }
    ctx.out.result({ revoked: target }, () => ctx.out.line(`revoked ${target}`))
  },
})
