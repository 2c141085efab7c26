/**
 * The entity store: one MongoDB collection per actor type, one document per
 * entity:
 *
 *   { _id: entity, state, version, fence, lastSeq, applied: "[{key, result}…]", outbox: "[…]" }
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
 * - `outbox` holds what must be published because of the commit (results,
 *   topic events, domain events, DLQ entries, timer changes); it is cleared
 *   after publishing.
 *
 * Applying a command is ONE conditional single-document write of all of
 * these together — the only atomicity MongoDB and FerretDB v1 both offer.
 *
 * `applied` and `outbox` are stored as JSON strings, not as arrays of
 * sub-documents: they are the runtime's bookkeeping (never queried), and
 * FerretDB v1 (the dev/test server) makes a conditional write of a document
 * with many nested fields several times slower (measured: ~30 vs ~200
 * writes/s with 16 applied entries).
 */
import type { Collection, Db } from 'mongodb';
import type { PushBody } from '../../protocol/index.js';
import { StaleWriteError } from './commandErrors.js';

export interface AppliedCommand {
  key: string;
  /** The result as pushed to the sender (kept for redeliveries). */
  result: PushBody;
}

/** A NATS publish the commit owes: subject, JSON body, headers, and a unique id used as Nats-Msg-Id. */
export interface PublishEntry {
  kind: 'publish';
  id: string;
  subject: string;
  body: string;
  headers?: Record<string, string>;
  /** Commit time, epoch ms (outbox lag). */
  at: number;
}

/** A durable timer to (re)set for this entity: applied to the timers collection by the relay. */
export interface TimerSetEntry {
  kind: 'timer.set';
  id: string;
  at: number;
  timer: { key: string; name: string; due: number; data?: unknown };
}

export interface TimerCancelEntry {
  kind: 'timer.cancel';
  id: string;
  at: number;
  key: string;
}

export type OutboxEntry = PublishEntry | TimerSetEntry | TimerCancelEntry;

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
  /** Entries not yet published. */
  outbox: OutboxEntry[];
  /**
   * The document still holds entries that were published since (the clear
   * is deferred: the next commit replaces them, or an idle entity is
   * cleared shortly after — one write per command under load).
   */
  storedOutbox: boolean;
}

export interface CommitChanges<S> {
  state: S;
  lastSeq: number;
  applied: AppliedCommand[];
  outbox: OutboxEntry[];
}

export class EntityStore<S> {
  readonly collection: Collection<EntityDocument>;

  constructor(db: Db, collectionName: string, private readonly initialState: (entity: string) => S) {
    this.collection = db.collection<EntityDocument>(collectionName);
  }

  async load(entity: string): Promise<EntityRecord<S>> {
    const doc = await this.collection.findOne({ _id: entity });
    if (!doc) return { entity, state: this.initialState(entity), version: 0, fence: 0, lastSeq: 0, applied: [], outbox: [], storedOutbox: false };
    const outbox = decodeStoredList<OutboxEntry>(doc.outbox);
    return {
      entity,
      state: doc.state as S,
      version: doc.version,
      fence: doc.fence ?? 0,
      lastSeq: doc.lastSeq ?? 0,
      applied: decodeStoredList<AppliedCommand>(doc.applied),
      outbox,
      storedOutbox: outbox.length > 0,
    };
  }

  /**
   * The one write that applies a command: succeeds only if the document is
   * still at `record.version` and no writer with a larger fencing token has
   * written it. Throws StaleWriteError otherwise. Returns the new record.
   */
  async commit(record: EntityRecord<S>, token: number, changes: CommitChanges<S>): Promise<EntityRecord<S>> {
    const version = record.version + 1;
    try {
      const res = await this.collection.updateOne(
        { _id: record.entity, version: record.version, fence: { $lte: token } },
        {
          $set: {
            state: changes.state, version, fence: token, lastSeq: changes.lastSeq,
            applied: JSON.stringify(changes.applied), outbox: JSON.stringify(changes.outbox), updatedAt: new Date(),
          },
        },
        { upsert: record.version === 0 },
      );
      if (res.matchedCount + res.upsertedCount !== 1) throw new StaleWriteError(`entity ${record.entity} moved past version ${record.version} or is fenced above token ${token}`);
    } catch (err) {
      // An upsert racing an existing document fails on the unique _id: the same conflict.
      if ((err as { code?: unknown }).code === 11000) throw new StaleWriteError(`entity ${record.entity} was created concurrently`, { cause: err });
      throw err;
    }
    return { entity: record.entity, state: changes.state, version, fence: token, lastSeq: changes.lastSeq, applied: changes.applied, outbox: changes.outbox, storedOutbox: changes.outbox.length > 0 };
  }

  /** Drops published outbox entries; a no-op if the document moved on (the next commit replaced them). */
  async clearOutbox(record: EntityRecord<S>): Promise<void> {
    await this.collection.updateOne({ _id: record.entity, version: record.version }, { $set: { outbox: '[]' } });
  }
}
