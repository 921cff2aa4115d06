// Entry of the devnet relayers' worker thread: loads the TypeScript worker through tsx, since workers get no
// loader hooks from the thread that starts them.
// @ts-check
import { register } from 'tsx/esm/api'

register()
await import('./relayers-worker.ts')
