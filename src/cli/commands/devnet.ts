// `bot devnet`: starts the local devnet chains with the demo contracts and keeps them up until Ctrl-C.
import { defineCommand } from '../command.ts'
import { UsageError } from '../errors.ts'

export const devnetCommand = defineCommand({
  name: 'devnet',
  summary: 'start the local devnet (L1 31337 + L2 31338, demo contracts) until Ctrl-C',
  usage: 'devnet [--mainnet-shaped [--fund <address>]...]',
  examples: [
    'bot devnet',
    'bot devnet --json   # prints the RPC URLs and contract addresses as JSON once ready',
    'bot devnet --mainnet-shaped --fund 0xYourAddress   # chain ids 1 + 8453, contracts at their real addresses',
  ],
  options: {
    'mainnet-shaped': {
      type: 'boolean',
      description: 'start local Ethereum (1) + Base (8453) with real bytecode at the built-in book addresses',
    },
    fund: {
      type: 'string',
      multiple: true,
      valueName: '<address>',
      description: 'with --mainnet-shaped: give this address 100 ETH on both chains (repeatable)',
    },
  },
  needsConfig: false,
  async run(ctx) {
    const shaped = ctx.values['mainnet-shaped'] === true
    const fund = ctx.values.fund as string[] | undefined
    if (fund && !shaped) throw new UsageError('--fund works only with --mainnet-shaped', 'add --mainnet-shaped')
    const progress = ctx.out.progress(shaped ? 'starting the mainnet-shaped chains' : 'starting devnet')
    let ready = false
    try {
      await ctx.services.devnet({
        signal: ctx.signal,
        mainnetShaped: shaped,
        fund,
        onProgress: (e) => progress.update(e.kind === 'step' ? e.message : `${e.jobId}: ${e.status}`),
        onReady: (info) => {
          ready = true
          progress.succeed('devnet ready')
          ctx.out.result(info, () => {
            for (const c of info.chains) ctx.out.line(`${c.role.toUpperCase()} chain ${c.chainId}: ${c.rpcUrl}`)
            for (const [name, addr] of Object.entries(info.contracts ?? {})) ctx.out.line(`  ${name}: ${addr}`)
            for (const a of shaped ? (info.accounts ?? []) : []) ctx.out.line(`funded ${a} with 100 ETH on both chains`)
            if (shaped)
              ctx.out.line('set ETH_RPC_URL and BASE_RPC_URL to these URLs to run config/example.yaml against them')
            ctx.out.line('Ctrl-C stops it')
          })
        },
      })
    } catch (err) {
      if (!ready) progress.fail('devnet failed to start')
      throw err
    }
  },
})
