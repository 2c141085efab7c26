/**
 * The HAProxy configuration of the local cluster: one HTTP frontend per pool
 * (switchyard gateways, and the bench's baseline servers), each in front of a
 * backend whose servers are added and removed at run time through the admin
 * socket (see runtimeApi.ts), so the configuration itself lists no server.
 *
 * Contracts:
 * - WebSocket aware: HTTP mode; an upgraded connection becomes a tunnel that
 *   lives as long as `timeout tunnel`.
 * - Session affinity without cookies (HAProxy 2.6 cannot give dynamic servers
 *   a cookie): a stick table keyed on the `affinity` query parameter sends a
 *   client that reconnects with the same key to the same server while that
 *   server is up; a key never seen goes to the least-loaded server.
 *   Stickiness is an optimisation only (guarantee 6).
 * - Health checks on `/readyz` every 500 ms: a draining gateway answers 503
 *   and leaves the pool within about a second; a failed connect is
 *   redispatched to another server.
 */

export interface PoolSpec {
  /** Backend name (also the frontend's, prefixed `fe_`). Letters, digits, `_`. */
  name: string;
  /** Loopback port the frontend listens on. */
  port: number;
  /** Path answering 200 when a server takes new clients. @default '/readyz' */
  healthPath?: string;
}

export interface HaproxyConfigOptions {
  /** Unix socket of the runtime API (admin level). */
  adminSocket: string;
  pools: PoolSpec[];
  /** Global connection limit; HAProxy needs two descriptors per proxied connection. @default 8000 */
  maxConnections?: number;
}

export function haproxyConfig(options: HaproxyConfigOptions): string {
  const maxconn = options.maxConnections ?? 8000;
  const lines = [
    'global',
    `  stats socket ${options.adminSocket} mode 600 level admin`,
    `  maxconn ${maxconn}`,
    '  nbthread 1',
    // Exclusive listeners (no SO_REUSEPORT): a frontend port is never shared with a process that bound it too (see bench/baselines/baselineProcess.ts listenBaseline).
    '  noreuseport',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 120s',
    '  timeout server 120s',
    '  timeout tunnel 1h',
    '  timeout http-request 10s',
    '  timeout queue 5s',
    // Every retry goes to another server, at once: a retry of the same server waits HAProxy's 1 s turn-around first,
    // and a refused connection here means that gateway is gone (killed, or its drain closed the listen socket).
    '  option redispatch 1',
    '  retries 3',
    '',
  ];
  for (const pool of options.pools) {
    if (!/^[A-Za-z0-9_]+$/.test(pool.name)) throw new Error(`pool name ${pool.name} must be letters, digits or _`);
    lines.push(
      `frontend fe_${pool.name}`,
      `  bind 127.0.0.1:${pool.port}`,
      `  default_backend ${pool.name}`,
      '',
      `backend ${pool.name}`,
      '  balance leastconn',
      '  stick-table type string len 64 size 200k expire 1h',
      '  stick on url_param(affinity)',
      // HTTP/1.1 with a Host header: uWS does not answer a bare HTTP/1.0 check.
      '  option httpchk',
      `  http-check send meth GET uri ${pool.healthPath ?? '/readyz'} ver HTTP/1.1 hdr Host localhost`,
      '  http-check expect status 200',
      '',
    );
  }
  return lines.join('\n');
}
