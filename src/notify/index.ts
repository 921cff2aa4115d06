// Operator notifications: events, channels (webhook, Telegram, Discord, Slack), the durable outbox and its sender.
export type { NotifyEvent } from './events.ts'
export { notifySchema, type NotifyConfig } from './config-schema.ts'
export { verifyWebhook, WEBHOOK_HEADERS } from './channels.ts'
export { createNotifier, type Notifier } from './notifier.ts'
export { createWatcher } from './watch.ts'
export { attachScheduler, notifyStarted, notifyStopped, type StartReport } from './scheduler-hooks.ts'
