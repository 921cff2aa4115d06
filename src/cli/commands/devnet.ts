// `bot devnet`: starts the local devnet chains with the demo contracts and keeps them up until Ctrl-C.
import { defineCommand } from '../command.ts'

export const devnetCommand = defineCommand({
  name: 'devnet',
  summary: 'start the local devnet (L1 31337 + L2 31338, demo contracts) until Ctrl-C',
  usage: 'devnet',
  examples: ['bot devnet', 'bot devnet --json   # prints the RPC URLs and contract addresses as JSON once ready'],
  options: {},
  needsConfig: false,
  async run(ctx) {
    const progress = ctx.out.progress('starting devnet')
    let ready = false
    try {
      await ctx.services.devnet({
        signal: ctx.signal,
        onProgress: (e) => progress.update(e.kind === 'step' ? e.message : `${e.jobId}: ${e.status}`),
        onReady: (info) => {
          ready = true
          progress.succeed('devnet ready')
          ctx.out.result(info, () => {
            for (const c of info.chains) ctx.out.line(`${c.role.toUpperCase()} chain ${c.chainId}: ${c.rpcUrl}`)
            for (const [name, addr] of Object.entries(info.contracts ?? {})) ctx.out.line(`  ${name}: ${addr}`)
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
