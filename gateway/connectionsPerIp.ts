/**
 * Per-address connection limit (SY_MAX_CONNECTIONS_PER_IP): open WebSockets
 * and HTTP requests in progress of one remote address, counted together on
 * this gateway. A flood from one address is refused before it costs a
 * socket session or a body buffer. The address is the TCP peer: behind a
 * load balancer every client shares it, so the limit is off (0) by default.
 */
import type { HttpResponse } from '@trufflesuite/uws-js-unofficial';
import { ERROR_CODES, type ErrorBody } from '../protocol/index.js';
import { respondJson } from './httpResponse.js';

export class ConnectionsPerIp {
  private readonly open = new Map<string, number>();

  /** @param max connections per address; 0 = unlimited. */
  constructor(private readonly max: number) {}

  /** Counts one more connection of `ip`; false (nothing counted) when the address is at its limit. */
  tryOpen(ip: string): boolean {
    if (this.max === 0) return true;
    const n = this.open.get(ip) ?? 0;
    if (n >= this.max) return false;
    this.open.set(ip, n + 1);
    return true;
  }

  /** The connection counted by a successful tryOpen(ip) ended. */
  close(ip: string): void {
    if (this.max === 0) return;
    const n = (this.open.get(ip) ?? 0) - 1;
    if (n <= 0) this.open.delete(ip);
    else this.open.set(ip, n);
  }

  refusal(): ErrorBody {
    return { code: 'TOO_MANY_CONNECTIONS', message: ERROR_CODES.TOO_MANY_CONNECTIONS.message, details: { maxConnectionsPerIp: this.max } };
  }

  /**
   * For an HTTP request, before anything else: counts it and returns the
   * address (release it with close() when the response is done), or answers
   * 429 TOO_MANY_CONNECTIONS and returns undefined. Must run synchronously
   * in the uWS handler (the remote address is read from `res`).
   */
  admitHttp(res: HttpResponse): string | undefined {
    const ip = remoteAddress(res);
    if (this.tryOpen(ip)) return ip;
    respondJson(res, () => false, ERROR_CODES.TOO_MANY_CONNECTIONS.http, { error: this.refusal() }, { 'Retry-After': '1' });
    return undefined;
  }
}

/** The TCP peer address of a request, as text. */
export function remoteAddress(res: HttpResponse): string {
  return Buffer.from(res.getRemoteAddressAsText()).toString('utf8');
}
