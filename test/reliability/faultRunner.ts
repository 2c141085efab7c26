/**
 * Runs one fault under steady load and measures what it did:
 *
 *   warm-up → inject the fault → load goes on for `loadSeconds` (the fault
 *   heals inside this phase) → stop sending → wait for every outstanding
 *   command to settle → read the counters from MongoDB.
 *
 * - accepted: commands the gateway acknowledged as durable;
 * - lost: accepted commands that never got a result (must be 0);
 * - duplicates: applications beyond one per distinct command, i.e. the sum
 *   of the counters' `applied` minus the number of commands answered ok
 *   (must be 0), plus results that report the same counter value for two
 *   different commands (a lost update);
 * - recovery: ms from the injection to the first result after it, and the
 *   longest stretch without any result from warm-up to the end;
 * - result p99 after the fault: of the commands sent from the injection
 *   until the load stopped, from when each was sent (open loop: due) to its
 *   result;
 * - what clients saw: rejections / error frames / closes by code, reconnects.
 */
import type { Db } from 'mongodb';
import { CommandLoad, type CommandRecord, type LoadOptions } from './commandLoad.js';

export interface FaultPhases {
  /** Steady load before the fault, ms. */
  warmupMs: number;
  /** Load after the injection (the fault heals inside it), s. */
  loadSeconds: number;
  /** Longest wait for outstanding commands after the load stops, ms. */
  settleMs: number;
}

export interface FaultOutcome {
  fault: string;
  load: string;
  loadSeconds: number;
  sent: number;
  accepted: number;
  answered: number;
  lost: number;
  /** Sent, never accepted and never answered (still queued in a client at the end). */
  unsettled: number;
  duplicates: number;
  failedResults: Record<string, number>;
  firstResultAfterFaultMs: number | undefined;
  longestResultGapMs: number;
  /** p99 result latency of the commands sent after the injection (undefined: none answered). */
  resultP99AfterFaultMs: number | undefined;
  clientsSaw: string;
  /** Extra facts the fault's test measured (e.g. what a new hello got while Redis was down). */
  notes: string[];
}

export interface FaultRun {
  name: string;
  /** `note`: how the load was chosen, said in the report (e.g. its share of the measured saturation). */
  load: Omit<LoadOptions, 'entities'> & { entityCount: number; note?: string };
  phases: FaultPhases;
  db: Db;
  /** Injects the fault and resolves once it is injected (healing may go on in the background). */
  inject: () => Promise<void>;
  /** Resolves once the fault healed (restart done, process resumed); awaited before the load stops. */
  healed?: () => Promise<void>;
}

export async function runFault(run: FaultRun): Promise<FaultOutcome> {
  // Entity ids have a length limit (protocol EntityId): the fault's name is cut short in them.
  const slug = run.name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase().slice(0, 40);
  const entities = Array.from({ length: run.load.entityCount }, (_, i) => `${slug}-${Date.now().toString(36)}-e${i}`);
  const load = new CommandLoad({ ...run.load, entities });
  let startedAt = 0;
  let faultAt = 0;
  let stoppedAt = 0;
  let commands: CommandRecord[];
  let clientsSaw: string;
  const clients = run.load.tokens.length;
  try {
    await load.start();
    startedAt = Date.now();
    await sleep(run.phases.warmupMs);
    faultAt = Date.now();
    await run.inject();
    await sleep(run.phases.loadSeconds * 1000);
    await run.healed?.();
    stoppedAt = Date.now();
    await load.stop(run.phases.settleMs);
    // A snapshot: closing the clients fails what is still pending and adds closes of its own.
    commands = [...load.commands.values()].map((c) => ({ ...c }));
    clientsSaw = load.seen.summary(clients);
  } finally {
    // Reconnecting clients would keep the test process alive forever.
    await load.close();
  }

  const accepted = commands.filter((c) => c.acceptedAt !== undefined);
  const answered = commands.filter((c) => c.resultAt !== undefined && c.error === undefined);
  const failedResults: Record<string, number> = {};
  for (const c of commands) if (c.error !== undefined) failedResults[c.error] = (failedResults[c.error] ?? 0) + 1;
  const lost = accepted.filter((c) => c.resultAt === undefined).length;
  const unsettled = commands.filter((c) => c.acceptedAt === undefined && c.resultAt === undefined).length;

  const docs = await run.db.collection('entities_counter').find({ _id: { $in: entities as never[] } }).toArray();
  const applied = docs.reduce((n, d) => n + Number((d.state as { applied?: number } | undefined)?.applied ?? 0), 0);
  let sameValue = 0;
  for (const entity of entities) {
    const values = answered.filter((c) => c.entity === entity).map((c) => c.value);
    sameValue += values.length - new Set(values).size;
  }
  const duplicates = Math.max(0, applied - answered.length) + sameValue;

  const times = commands.flatMap((c) => (c.resultAt === undefined ? [] : [c.resultAt])).sort((a, b) => a - b);
  const firstAfter = times.find((t) => t >= faultAt);
  let longestGap = 0;
  let previous = startedAt;
  for (const t of times) {
    longestGap = Math.max(longestGap, t - previous);
    previous = t;
  }
  const afterFault = answered.filter((c) => c.sentAt >= faultAt && c.sentAt <= stoppedAt).map((c) => c.resultAt! - c.sentAt).sort((a, b) => a - b);
  const shape = run.load.ratePerSecond === undefined
    ? `${clients} WebSocket clients × ${run.load.outstandingPerClient ?? 4} outstanding counter adds`
    : `${clients} WebSocket clients, counter adds open loop at ${run.load.ratePerSecond}/s`;
  const outcome: FaultOutcome = {
    fault: run.name,
    load: `${shape} on ${run.load.entityCount} entities${run.load.note ? ` (${run.load.note})` : ''}`,
    loadSeconds: run.phases.loadSeconds,
    sent: commands.length,
    accepted: accepted.length,
    answered: answered.length,
    lost,
    unsettled,
    duplicates,
    failedResults,
    firstResultAfterFaultMs: firstAfter === undefined ? undefined : firstAfter - faultAt,
    longestResultGapMs: longestGap,
    resultP99AfterFaultMs: afterFault.length === 0 ? undefined : afterFault[Math.min(afterFault.length - 1, Math.ceil(afterFault.length * 0.99) - 1)],
    clientsSaw,
    notes: [],
  };
  if (applied < answered.length) outcome.notes.push(`counters applied ${applied} < ${answered.length} ok results`);
  return outcome;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
