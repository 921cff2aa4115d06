// The services `bot` uses: the composed bot (scheduler, engine, devnet, risk) from src/bot.
import type { ServicesFactory } from '../bot/services.ts'

/** Creates the real services lazily, so `--help` and bad input load none of the bot. */
export const createDefaultServices: ServicesFactory = async (deps) =>
  (await import('./bot-services.ts')).createBotServices(deps)
