// What the dashboard's charts draw beside the history: gas caps as lines, daily budgets and caps, explorer links.
import * as viemChains from 'viem/chains'
import type { Chain } from 'viem'
import type { ChartSettings } from '../history/index.ts'
import type { BotRuntime } from './runtime.ts'
import { policyFromConfig } from './runtime-config.ts'

const explorerOf = (chainId: number): string | undefined =>
  (Object.values(viemChains) as Chain[]).find((c) => c.id === chainId)?.blockExplorers?.default.url

/** Derives the chart settings from the runtime's config and chains (wei as decimal strings). */
export function chartSettings(rt: Pick<BotRuntime, 'config' | 'env'>): ChartSettings {
  const p = policyFromConfig(rt.config)
  const caps: ChartSettings['caps'] = [
    { label: 'gas cap', wei: p.maxGasPrice.toString() },
    { label: 'critical cap', wei: p.criticalMaxGasPrice.toString() },
    { label: 'hard cap', wei: p.hardMaxGasPrice.toString() },
  ]
  for (const j of rt.config.jobs) {
    const chainId = (j.args as { params?: { chainId?: unknown; fromChainId?: unknown } } | undefined)?.params
    const id = chainId?.chainId ?? chainId?.fromChainId
    if (j.gasCap !== undefined)
      caps.push({ label: `${j.id} cap`, wei: j.gasCap.toString(), ...(typeof id === 'number' ? { chainId: id } : {}) })
  }
  const budget = rt.config.risk.dailyGasBudget.toString()
  const out: ChartSettings = { caps, dailyGasBudgetWei: {}, dailyNativeCapWei: {}, explorers: {} }
  for (const c of rt.env.chains) {
    caps.push({ label: 'fee cap (engine)', wei: c.policy.maxFeePerGas.toString(), chainId: c.chainId })
    out.dailyGasBudgetWei[c.chainId] = budget
    out.dailyNativeCapWei[c.chainId] = c.policy.dailyNativeCap.toString()
    const url = explorerOf(c.chainId)
    if (url) out.explorers[c.chainId] = url
  }
  return out
}
