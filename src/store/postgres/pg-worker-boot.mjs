// Entry of the PostgreSQL worker thread: loads the TypeScript worker through tsx (workers get no loader hooks).
// @ts-check
import { register } from 'tsx/esm/api'

register()
await import('./pg-worker.ts')
