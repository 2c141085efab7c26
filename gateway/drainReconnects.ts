/**
 * When a draining gateway tells its clients to reconnect: each gets a random
 * `reconnectAfterMs` within a spread, so they do not all arrive at the other
 * nodes at once. The spread grows with the number of clients — at most
 * SY_DRAIN_RECONNECTS_PER_SECOND of them a second — up to
 * SY_DRAIN_RECONNECT_SPREAD_MS: a gateway with a few dozen clients lets
 * them go at once (a fixed 2 s spread held their commands up to 2 s for no
 * herd at all), one with 15,000 spreads them over the whole window.
 */

/** The spread, ms, for `clients` reconnecting at most `perSecond` a second, capped at `maxSpreadMs`. */
export function drainReconnectSpreadMs(clients: number, perSecond: number, maxSpreadMs: number): number {
  return Math.min(maxSpreadMs, Math.ceil((clients * 1000) / perSecond));
}

/** A random delay within the spread (inclusive). */
export function reconnectAfterMs(spreadMs: number): number {
  return Math.floor(Math.random() * (spreadMs + 1));
}
