/**
 * Concurrent calls for one key share one call: while a call for `key` is
 * under way, `run(key, …)` returns its promise instead of starting another
 * (a burst of hellos, ACL checks or membership reads of one user costs one
 * request). Nothing is cached: once the call settles, the next `run` calls
 * again. A rejection reaches every caller that shared the call.
 */
export class SharedCalls<K, V> {
  private readonly pending = new Map<K, Promise<V>>();

  run(key: K, call: () => Promise<V>): Promise<V> {
    let shared = this.pending.get(key);
    if (!shared) {
      shared = call().finally(() => this.pending.delete(key));
      this.pending.set(key, shared);
    }
    return shared;
  }
}
