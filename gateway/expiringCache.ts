/**
 * A bounded map whose entries expire after a fixed time. When full, the
 * least recently written entry goes first (Map keeps insertion order).
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly ttlMs: number, private readonly maxEntries: number) {}

  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Deletes every entry whose key satisfies `match`. */
  deleteWhere(match: (key: string) => boolean): number {
    let deleted = 0;
    for (const key of this.entries.keys()) {
      if (match(key)) {
        this.entries.delete(key);
        deleted++;
      }
    }
    return deleted;
  }

  get size(): number {
    return this.entries.size;
  }
}
