/**
 * The work every design does for the same command, so that the comparison
 * is about the architecture and not the handler:
 * - `counter.add {by}`: one MongoDB write of the entity (the trivial handler;
 *   switchyard's worker additionally keeps applied ids for exactly-once);
 * - `slowwork.run {ms}`: a simulated AI provider call that takes `ms`;
 * - `benchroom.post`: nothing but the fan-out the caller does.
 */
import type { Collection, Document } from 'mongodb';

export interface WorkRequest {
  actor: string;
  entity: string;
  name: string;
  data?: unknown;
}

export type WorkAnswer = { ok: true; data?: unknown } | { ok: false; error: { code: string; message: string } };

export async function doWork(req: WorkRequest, counters: Collection<Document> | undefined): Promise<WorkAnswer> {
  if (req.actor === 'slowwork') {
    const ms = Math.max(0, Math.min(30_000, Number((req.data as { ms?: unknown } | undefined)?.ms) || 0));
    await new Promise((r) => setTimeout(r, ms));
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
  if (req.actor === 'benchroom') return { ok: true };
  return { ok: false, error: { code: 'VALIDATION', message: `unknown work ${req.actor}.${req.name}` } };
}

/** Milliseconds since the epoch with µs decimals (same clock as protocol's epochMillis). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
