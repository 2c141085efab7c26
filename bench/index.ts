/** The benchmark kit: load generator, churn controller, baselines, report writer. `npm run bench` is bench/main.ts. */
export { startLoad } from './load/loadRunner.js';
export type { RunningLoad } from './load/loadRunner.js';
export type { ThreadPlan, ThreadReport, TargetKind, Workload, CommandRecords } from './load/loadPlan.js';
export { accountCommands } from './stats/commandAccounting.js';
export type { CommandFigures } from './stats/commandAccounting.js';
export { summarize, perSecondSeries } from './stats/latencySummary.js';
export type { LatencySummary, SeriesPoint } from './stats/latencySummary.js';
export { ProcessSampler, readProcStat } from './process/processSampler.js';
export type { ProcessFigures } from './process/processSampler.js';
export { runChurn, CHURN_CYCLE } from './churn/churnController.js';
export { BaselineProcess, spawnSyncMember } from './baselines/baselineProcess.js';
export { startBenchEnvironment } from './benchEnvironment.js';
export { lineChartSvg } from './report/svgLineChart.js';
export { writeReport, markdownReport } from './report/writeReport.js';
export { budgetTable, comparisonRows } from './report/benchReport.js';
export type { BenchReport, BudgetRow, ComparisonRow } from './report/benchReport.js';
