// The chart-history module's public entry: the recorder (writes), the queries and savings (reads), retention.
export { createHistoryRecorder, type HistoryRecorder } from './recorder.ts'
export { baseFeeSeries, balanceSeries, gasPerDay, runsPerHour, sendMarks, transactions } from './queries.ts'
export { savingsReport, type SavingsReport, type SavingsWindow } from './savings.ts'
export { pruneChartHistory } from './retention.ts'
export type { ChartSettings } from './chart-settings.ts'
