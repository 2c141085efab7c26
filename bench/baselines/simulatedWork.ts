/**
 * The work every design does for the same command, so that the comparison
 * is about the architecture and not the handler:
 * - `counter.add {by}`: one MongoDB write of the entity (the trivial handler;
 *   switchyard's worker additionally keeps applied ids for exactly-once);
 * - `slowwork.run {ms}`: a simulated AI provider call that takes `ms`;
 * - `benchroom.post`, `benchnoop.run`: nothing (the caller fans out / the
 *   accept path is what is measured);
 * - `checkout.run {providerMs, notifyMs, amount}`: a multi-step workflow — a
 *   slow payment-provider call, one ledger entry written to MongoDB, a
 *   notification call. At most BENCH_WORKFLOW_CONCURRENCY checkouts run at
 *   once per process (a bounded pool, as any real server has); the others
 *   wait their turn in arrival order.
 */
import type { Collection, Document } from 'mongodb';

export interface WorkRequest {
  actor: string;
  entity: string;
  name: string;
  data?: unknown;
}

export type WorkAnswer = { ok: true; data?: unknown } | { ok: false; error: { code: string; message: string } };

/** Where the work writes; absent for processes that only run work without a store. */
export interface WorkStore {
  counters: Collection<Document>;
  ledger: Collection<Document>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const clampMs = (v: unknown) => Math.max(0, Math.min(30_000, Number(v) || 0));

/** A FIFO limit on checkouts running at once in this process. */
const workflowSlots = { free: Number(process.env.BENCH_WORKFLOW_CONCURRENCY ?? 32), waiting: [] as Array<() => void> };

async function withWorkflowSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (workflowSlots.free > 0) workflowSlots.free--;
  else await new Promise<void>((r) => workflowSlots.waiting.push(r));
  try {
    return await fn();
  } finally {
    const next = workflowSlots.waiting.shift();
    if (next) next(); else workflowSlots.free++;
  }
}

async function checkout(entity: string, data: { providerMs?: unknown; notifyMs?: unknown; amount?: unknown } | undefined, store: WorkStore | undefined): Promise<WorkAnswer> {
  if (!store) return { ok: false, error: { code: 'UNAVAILABLE', message: 'checkout needs the store' } };
  return withWorkflowSlot(async () => {
    await sleep(clampMs(data?.providerMs)); // the payment provider
    // One ledger entry per order: a retry of the same order finds it there (unique _id) and does not book twice.
    await store.ledger.updateOne({ _id: entity as unknown as Document['_id'] }, { $setOnInsert: { amount: Number(data?.amount) || 0, at: Date.now() } }, { upsert: true });
    await sleep(clampMs(data?.notifyMs)); // the notification service
    return { ok: true, data: { order: entity } };
  });
}

export async function doWork(req: WorkRequest, store: WorkStore | undefined): Promise<WorkAnswer> {
  const counters = store?.counters;
  if (req.actor === 'slowwork') {
    const ms = clampMs((req.data as { ms?: unknown } | undefined)?.ms);
    await sleep(ms);
    return { ok: true, data: { tookMs: ms } };
  }
  if (req.actor === 'counter' && counters) {
    const by = Number((req.data as { by?: unknown } | undefined)?.by ?? 1);
    const doc = await counters.findOneAndUpdate(
      { _id: req.entity as unknown as Document['_id'] },
      { $inc: { value: by, applied: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    return { ok: true, data: { value: (doc as { value?: number } | null)?.value ?? by } };
  }
  if (req.actor === 'checkout') return checkout(req.entity, req.data as Parameters<typeof checkout>[1], store);
  if (req.actor === 'benchroom' || req.actor === 'benchnoop') return { ok: true };
  return { ok: false, error: { code: 'VALIDATION', message: `unknown work ${req.actor}.${req.name}` } };
}

/** Milliseconds since the epoch with µs decimals (same clock as protocol's epochMillis). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
