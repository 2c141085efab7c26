/**
 * Turns the threads' per-command records into the figures of a run: who was
 * accepted, answered, answered twice, rejected, or accepted and never
 * answered (lost), and the latency distributions.
 *
 * Definitions (the report repeats them):
 * - accept latency: intended send time → `accepted` (open loop), or actual
 *   send → `accepted` (closed loop). For the synchronous design the response
 *   is the acceptance, so accept latency = result latency there.
 * - result latency: the same origin → first `result`.
 * - lost: accepted, no result by the end of the grace period.
 * - duplicate: a command with more than one distinct result (switchyard:
 *   distinct `seq`; a replayed `seq` is dropped as the protocol says).
 * - unconfirmed: sent, neither accepted, rejected nor answered (a request
 *   that died with its connection and was not retried successfully).
 */
import type { ThreadReport } from '../load/loadPlan.js';
import { perSecondSeries, summarize, type LatencySummary, type SeriesPoint } from './latencySummary.js';

export interface CommandFigures {
  sent: number;
  accepted: number;
  answered: number;
  lost: number;
  duplicates: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  unconfirmed: number;
  /** Commands sent more than once (retries after a reconnect or a retryable rejection). */
  retried: number;
  /** Results with ok:false by error code. */
  failedResults: Record<string, number>;
  acceptLatency: LatencySummary;
  resultLatency: LatencySummary;
  /** Results per second over the span from the first intended send to the last result. */
  throughputPerSecond: number;
  /** Per-second p50/p99, by intended send time, relative to `origin`. */
  acceptSeries: SeriesPoint[];
  resultSeries: SeriesPoint[];
  reconnects: number;
  sessionsNotResumed: number;
  replayedFrames: number;
  connectFailures: number;
  notes: string[];
  /** Ids of a few lost commands, for whoever investigates. */
  lostExamples: string[];
}

export function accountCommands(reports: ThreadReport[], origin: number, idPrefix: string): CommandFigures {
  const acceptLat: number[] = [];
  const acceptAt: number[] = [];
  const resultLat: number[] = [];
  const resultAt: number[] = [];
  const rejectedByCode: Record<string, number> = {};
  const failedResults: Record<string, number> = {};
  const f = { sent: 0, accepted: 0, answered: 0, lost: 0, duplicates: 0, rejected: 0, unconfirmed: 0, retried: 0 };
  const lostExamples: string[] = [];
  let first = Infinity;
  let last = 0;
  for (const r of reports) {
    const c = r.commands;
    for (let i = 0; i < c.count; i++) {
      const intended = c.intended[i]!;
      if (c.attempts[i] === 0 && c.results[i] === 0) { f.unconfirmed++; f.sent++; continue; }
      f.sent++;
      if (c.attempts[i]! > 1) f.retried++;
      first = Math.min(first, intended);
      const rejected = c.rejected[i];
      if (rejected !== undefined) {
        f.rejected++;
        rejectedByCode[rejected] = (rejectedByCode[rejected] ?? 0) + 1;
        continue;
      }
      if (c.accepted[i]! > 0) {
        f.accepted++;
        acceptLat.push(c.accepted[i]! - intended);
        acceptAt.push(intended);
      }
      if (c.results[i]! > 0) {
        f.answered++;
        resultLat.push(c.result[i]! - intended);
        resultAt.push(intended);
        last = Math.max(last, c.result[i]!);
        if (c.results[i]! > 1) f.duplicates++;
      } else if (c.accepted[i]! > 0) {
        f.lost++;
        if (lostExamples.length < 10) lostExamples.push(`${idPrefix}-${r.threadIndex}-${i}`);
      } else {
        f.unconfirmed++;
      }
    }
    for (const [code, n] of Object.entries(c.failedResults)) failedResults[code] = (failedResults[code] ?? 0) + n;
  }
  const span = last > first ? (last - first) / 1000 : Number.NaN;
  return {
    ...f,
    rejectedByCode,
    failedResults,
    acceptLatency: summarize(acceptLat),
    resultLatency: summarize(resultLat),
    throughputPerSecond: f.answered / span,
    acceptSeries: perSecondSeries(acceptAt, acceptLat, origin),
    resultSeries: perSecondSeries(resultAt, resultLat, origin),
    reconnects: reports.reduce((s, r) => s + r.reconnects, 0),
    sessionsNotResumed: reports.reduce((s, r) => s + r.sessionsNotResumed, 0),
    replayedFrames: reports.reduce((s, r) => s + r.replayedFrames, 0),
    connectFailures: reports.reduce((s, r) => s + r.connectFailures, 0),
    notes: [...new Set(reports.flatMap((r) => r.notes))].slice(0, 20),
    lostExamples,
  };
}
