// What the dashboard's charts draw beside the data; composed by the bot, served by the HTTP worker.

/** Settings the charts draw beside the data: caps as lines, budgets, explorer links (all wei as decimal strings). */
export interface ChartSettings {
  /** Gas-price caps: the policy's global ones (no chain), per-job caps and each chain's engine fee cap. */
  caps: { label: string; wei: string; chainId?: number }[]
  dailyGasBudgetWei: Record<string, string>
  dailyNativeCapWei: Record<string, string>
  /** Block-explorer base URL per chain, when the chain has one. */
  explorers: Record<string, string>
}
