// `bot load-preset <name>`: adds a shipped preset's jobs to the state; `--list` shows the presets.
import { listPresets, loadPreset } from '../../config/load.ts'
import { defineCommand } from '../command.ts'
import { UsageError } from '../errors.ts'

export const loadPresetCommand = defineCommand({
  name: 'load-preset',
  summary: 'add the jobs of a shipped preset (config/presets/<name>.json) to the state',
  usage: 'load-preset <name> [--replace]   |   bot load-preset --list',
  examples: ['bot load-preset --list', 'bot load-preset swap-and-lend', 'bot load-preset devnet-demo --replace'],
  options: {
    list: { type: 'boolean', description: 'list the available presets and exit' },
    replace: { type: 'boolean', description: 'replace jobs whose ids already exist (default: keep them)' },
  },
  positionals: { min: 0, max: 1, names: 'a preset name' },
  async run(ctx) {
    if (ctx.values.list === true) {
      const names = listPresets()
      ctx.out.result(names, () => names.forEach((n) => ctx.out.line(n)))
      return
    }
    const name = ctx.positionals[0]
    if (name === undefined)
      throw new UsageError('load-preset needs a preset name', `available: ${listPresets().join(', ')}`)
    const preset = await loadPreset(name, { env: ctx.env })
    const r = await ctx.services.loadPreset(name, preset, { replace: ctx.values.replace === true })
    ctx.out.result(r, () => {
      ctx.out.line(`preset ${name}: added ${r.added.length} job(s)${r.added.length ? ` (${r.added.join(', ')})` : ''}`)
      if (r.skipped.length) ctx.out.line(`kept existing: ${r.skipped.join(', ')} (use --replace to overwrite)`)
    })
  },
})
