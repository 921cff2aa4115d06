// The chart-history module's public entry: the recorder (writes), the queries and savings (reads), retention.
export { createHistoryRecorder, type HistoryRecorder, type HistoryRecorderDeps, type DelayedRun } from './recorder.ts'
export { baseFeeSeries, balanceSeries, gasPerDay, runsPerHour, sendMarks, transactions, type TxRow, type Window } from './queries.ts'
export { savingsReport, savingsSince, type SavingsReport, type SavingsWindow } from './savings.ts'
export { pruneChartHistory } from './retention.ts'
