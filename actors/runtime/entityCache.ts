/**
 * The worker's entity state cache for one actor type: bounded LRU (a Map in
 * access order) plus passivation of entities idle longer than `idleMs`.
 * The cache only ever holds what this worker committed and published, or
 * loaded (with its owed outbox published), while it owned the entity's
 * partition — a record with nothing owed; it is dropped for a partition when the
 * partition is acquired, released or lost, so a stale state is never used
 * (and if one were, the conditional write would refuse it).
 */
import { partitionOf } from '../../protocol/index.js';
import { actorCacheLookups } from '../../platform/index.js';
import type { EntityRecord } from './entityStore.js';

interface Cached {
  record: EntityRecord<unknown>;
  touchedAt: number;
}

export class EntityCache {
  private readonly entries = new Map<string, Cached>();

  constructor(
    private readonly actor: string,
    private readonly maxEntries: number,
    private readonly idleMs: number,
    private readonly partitions: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get<S>(entity: string): EntityRecord<S> | undefined {
    const hit = this.entries.get(entity);
    actorCacheLookups.inc({ actor: this.actor, result: hit ? 'hit' : 'miss' });
    if (!hit) return undefined;
    this.entries.delete(entity);
    hit.touchedAt = Date.now();
    this.entries.set(entity, hit);
    return hit.record as EntityRecord<S>;
  }

  /** Entities of `partition` in the cache. */
  entitiesOf(partition: number): string[] {
    return [...this.entries.keys()].filter((e) => partitionOf(e, this.partitions) === partition);
  }

  set(record: EntityRecord<unknown>): void {
    if (this.maxEntries === 0) return;
    this.entries.delete(record.entity);
    this.entries.set(record.entity, { record, touchedAt: Date.now() });
    // Oldest first.
    for (const entity of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(entity);
    }
  }

  delete(entity: string): void {
    this.entries.delete(entity);
  }

  /** Forgets every entity of `partition`. */
  dropPartition(partition: number): void {
    for (const entity of this.entitiesOf(partition)) this.entries.delete(entity);
  }

  /** Passivates entities idle longer than the idle limit; returns how many. */
  passivateIdle(now = Date.now()): number {
    let dropped = 0;
    for (const [entity, cached] of this.entries) {
      // Map order is access order: the first fresh one ends the scan.
      if (now - cached.touchedAt < this.idleMs) break;
      this.entries.delete(entity);
      dropped++;
    }
    return dropped;
  }
}
