/**
 * The entity store: one MongoDB collection per actor type, one document per
 * entity:
 *
 *   { _id: entity, state, version, fence, lastSeq, applied: "[{key, result}…]", outbox: "[…]", writeId }
 *
 * - `version` counts commits; every commit is conditional on it (optimistic
 *   concurrency).
 * - `fence` is the fencing token of the last writer: a commit also requires
 *   `fence <= my token`, so once a newer partition owner has written, an
 *   older (zombie) owner can never write again.
 * - `lastSeq` is the CMD stream sequence of the last command applied: per
 *   entity, commands are applied in stream order, so a delivery with a
 *   sequence at or below it was handled already.
 * - `applied` keeps the keys and results of the most recent commands
 *   (bounded, trimmed in code: FerretDB ignores $slice) so a redelivery gets
 *   the stored result again instead of a second application.
 * - `outbox` holds what the last commit owes (outbox.ts): replaced by the
 *   next commit, never cleared by a write of its own.
 *
 * Applying commands is ONE conditional single-document write of all of
 * these together — the only atomicity MongoDB and FerretDB v1 both offer.
 * Round trips are grouped (storeRoundTrips.ts): the loads of a moment go out
 * as one `find({_id: {$in}})`, the commits of a moment — of any entities, each
 * still conditional on its own version and fence — as one unordered
 * `bulkWrite`; a refused commit is answered to its caller alone.
 *
 * `applied` and `outbox` are stored as JSON strings, not as arrays of
 * sub-documents: they are the runtime's bookkeeping (never queried), and
 * FerretDB v1 (the dev/test server) makes a conditional write of a document
 * with many nested fields several times slower (measured: ~30 vs ~200
 * writes/s with 16 applied entries).
 */
import { randomBytes } from 'node:crypto';
import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type Db } from 'mongodb';
import type { PushBody } from '../../protocol/index.js';
import { actorStoreDocuments, actorStoreRoundTrips } from '../../platform/index.js';
import { StaleWriteError } from './commandErrors.js';
import type { OutboxEntry } from './outbox.js';
import { RoundTripBatcher } from './storeRoundTrips.js';

/** Commits per bulkWrite and entities per find. */
export const STORE_BATCH_MAX = 64;
const COMMITS_IN_FLIGHT = 2;
const LOADS_IN_FLIGHT = 4;
/** A store round trip not answered by then fails (storeRoundTrips.ts) and its takes run again. */
const ROUND_TRIP_TIMEOUT_MS = 10_000;
/** Unique per process start; with a counter it names each bulkWrite (`writeId`). */
const WRITER = randomBytes(6).toString('hex');
let writes = 0;

export interface AppliedCommand {
  key: string;
  /** The result as pushed to the sender (kept for redeliveries; capped in size, see appliedMemory.ts). */
  result: PushBody;
}

export interface EntityDocument {
  _id: string;
  state: unknown;
  version: number;
  fence: number;
  lastSeq: number;
  /** JSON of AppliedCommand[]. */
  applied: string;
  /** JSON of OutboxEntry[]. */
  outbox: string;
  /** The bulkWrite that wrote this version (unique per round trip): tells a partly refused batch which of its writes landed. */
  writeId?: string;
  updatedAt: Date;
}

/** Reads a stored `applied`/`outbox` list (a JSON string; arrays from older documents are accepted). */
export function decodeStoredList<T>(stored: unknown): T[] {
  if (typeof stored === 'string') return JSON.parse(stored) as T[];
  return Array.isArray(stored) ? (stored as T[]) : [];
}

/** An entity as the worker holds it (in the cache between commands). */
export interface EntityRecord<S = unknown> {
  entity: string;
  state: S;
  /** 0 = no document yet. */
  version: number;
  fence: number;
  lastSeq: number;
  applied: AppliedCommand[];
  /** Entries not known to be published: as loaded (check with Outbox.owed), or [] once published. */
  outbox: OutboxEntry[];
}

export interface CommitChanges<S> {
  state: S;
  lastSeq: number;
  applied: AppliedCommand[];
  outbox: OutboxEntry[];
}

interface CommitRequest<S> {
  record: EntityRecord<S>;
  token: number;
  changes: CommitChanges<S>;
}

export class EntityStore<S> {
  readonly collection: Collection<EntityDocument>;
  private readonly loads: RoundTripBatcher<string, EntityRecord<S>>;
  private readonly commits: RoundTripBatcher<CommitRequest<S>, EntityRecord<S>>;

  constructor(db: Db, collectionName: string, private readonly initialState: (entity: string) => S, private readonly actor = collectionName) {
    this.collection = db.collection<EntityDocument>(collectionName);
    this.loads = new RoundTripBatcher((ids) => this.loadBatch(ids), STORE_BATCH_MAX, LOADS_IN_FLIGHT, ROUND_TRIP_TIMEOUT_MS);
    this.commits = new RoundTripBatcher((reqs) => this.commitBatch(reqs), STORE_BATCH_MAX, COMMITS_IN_FLIGHT, ROUND_TRIP_TIMEOUT_MS);
  }

  /** The entity's record (a fresh one at version 0 when it has no document); loaded together with the loads of the same moment. */
  load(entity: string): Promise<EntityRecord<S>> {
    return this.loads.request(entity);
  }

  /**
   * The one write that applies commands: succeeds only if the document is
   * still at `record.version` and no writer with a larger fencing token has
   * written it. Throws StaleWriteError otherwise (carrying the fence it
   * found). Returns the new record. Sent with the commits of the same moment.
   */
  commit(record: EntityRecord<S>, token: number, changes: CommitChanges<S>): Promise<EntityRecord<S>> {
    return this.commits.request({ record, token, changes });
  }

  private async loadBatch(ids: string[]): Promise<Array<EntityRecord<S>>> {
    actorStoreRoundTrips.inc({ actor: this.actor, kind: 'load' });
    const unique = [...new Set(ids)];
    const docs = await this.collection.find({ _id: { $in: unique } }).toArray();
    actorStoreDocuments.inc({ actor: this.actor, op: 'loaded' }, docs.length);
    const byId = new Map(docs.map((d) => [d._id, d]));
    return ids.map((id) => this.recordOf(id, byId.get(id)));
  }

  private recordOf(entity: string, doc: EntityDocument | undefined): EntityRecord<S> {
    if (!doc) return { entity, state: this.initialState(entity), version: 0, fence: 0, lastSeq: 0, applied: [], outbox: [] };
    return {
      entity,
      state: doc.state as S,
      version: doc.version,
      fence: doc.fence ?? 0,
      lastSeq: doc.lastSeq ?? 0,
      applied: decodeStoredList(doc.applied),
      outbox: decodeStoredList(doc.outbox),
    };
  }

  private async commitBatch(reqs: Array<CommitRequest<S>>): Promise<Array<EntityRecord<S> | Error>> {
    const now = new Date();
    const writeId = `${WRITER}:${++writes}`;
    const ops: Array<AnyBulkWriteOperation<EntityDocument>> = reqs.map(({ record, token, changes }) => ({
      updateOne: {
        filter: { _id: record.entity, version: record.version, fence: { $lte: token } },
        update: {
          $set: {
            state: changes.state, version: record.version + 1, fence: token, lastSeq: changes.lastSeq,
            applied: JSON.stringify(changes.applied), outbox: JSON.stringify(changes.outbox), writeId, updatedAt: now,
          },
        },
        upsert: record.version === 0,
      },
    }));
    actorStoreRoundTrips.inc({ actor: this.actor, kind: 'commit' });
    let matched: number;
    let upserted: Set<number>;
    const failed = new Map<number, { code?: unknown }>();
    try {
      const res = await this.collection.bulkWrite(ops, { ordered: false });
      matched = res.matchedCount;
      upserted = new Set(Object.keys(res.upsertedIds).map(Number));
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError)) throw err;
      for (const we of [err.writeErrors].flat()) failed.set(we.index, we);
      matched = err.result.matchedCount;
      upserted = new Set(Object.keys(err.result.upsertedIds).map(Number));
    }
    const answers: Array<EntityRecord<S> | Error> = reqs.map(({ record, token, changes }) => ({
      entity: record.entity, state: changes.state, version: record.version + 1, fence: token, lastSeq: changes.lastSeq, applied: changes.applied, outbox: changes.outbox,
    }));
    if (failed.size > 0 || matched + upserted.size < reqs.length) {
      // Which conditional updates did not match: read back the others; the ones that landed carry this batch's writeId.
      const unsure = reqs.flatMap((r, i) => (upserted.has(i) || failed.has(i) ? [] : [r.record.entity]));
      actorStoreRoundTrips.inc({ actor: this.actor, kind: 'check' });
      const docs = unsure.length === 0 ? [] : await this.collection.find({ _id: { $in: unsure } }, { projection: { fence: 1, writeId: 1 } }).toArray();
      const byId = new Map(docs.map((d) => [d._id, d]));
      reqs.forEach(({ record, token }, i) => {
        if (upserted.has(i)) return;
        const writeError = failed.get(i);
        // An upsert racing an existing document fails on the unique _id: the same conflict.
        if (writeError && writeError.code !== 11000) {
          answers[i] = new Error(`commit of entity ${record.entity} failed: ${JSON.stringify(writeError)}`);
          return;
        }
        const doc = byId.get(record.entity);
        if (!writeError && doc?.writeId === writeId) return;
        answers[i] = new StaleWriteError(`entity ${record.entity} moved past version ${record.version} or is fenced above token ${token}`, { fence: doc?.fence ?? 0 });
      });
    }
    actorStoreDocuments.inc({ actor: this.actor, op: 'written' }, answers.filter((a) => !(a instanceof Error)).length);
    return answers;
  }
}
