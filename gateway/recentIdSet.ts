/**
 * A set that remembers at most `capacity` ids, forgetting the oldest first.
 * Used per session for delivered result ids, so memory per session stays
 * bounded whatever the session's lifetime.
 */
export class RecentIdSet {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Adds `id`; returns false when it was already there. */
  add(id: string): boolean {
    if (this.capacity === 0) return true;
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}
