/**
 * Starts the real servers switchyard needs — nats-server (single node or a
 * 3-node JetStream cluster), redis-server and the mongowire (FerretDB)
 * server, and stripe-mock as the stand-in for Stripe's API — on free loopback
 * ports with temporary directories, waits until each answers, and stops them.
 * Used by the test suite and by `npm start`.
 *
 * Every process started here is killed when this process exits, also on a
 * crash, so a failing test leaves nothing behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

const here = dirname(fileURLToPath(import.meta.url));

/** Where install-tools.sh put the binaries. */
export function toolsDir(): string {
  return process.env.SY_TOOLS_DIR ?? join(homedir(), '.cache', 'switchyard', 'bin');
}

/**
 * The name of a binary install-tools.sh built from sources this checkout
 * patches: `<name>-<stamp>`, the stamp a hash of `salt` and `files` of `dir`
 * (install-tools.sh's stamp_of computes the same).
 */
function stampedTool(name: string, salt: string, dir: string, files: string[]): string {
  const hash = createHash('sha256');
  if (salt !== '') hash.update(`${salt}\n`);
  for (const file of files) hash.update(`${file}\n`).update(readFileSync(join(dir, file)));
  return tool(`${name}-${hash.digest('hex').slice(0, 16)}`);
}

/** The mongowire binary built from this checkout's deploy/local/mongowire/{*.go,*.sh,go.mod,go.sum}. */
export function mongowireBinary(): string {
  const dir = join(here, 'mongowire');
  return stampedTool('mongowire', '', dir, [...readdirSync(dir).filter((f) => /\.(go|sh)$/.test(f)).sort(), 'go.mod', 'go.sum']);
}

/** The nats-server binary built with this checkout's deploy/local/nats-server/raft-timers-patch.sh. */
export function natsServerBinary(): string {
  const version = pinnedVersions().NATS_SERVER_VERSION;
  return stampedTool('nats-server', `NATS_SERVER_VERSION=${version}`, join(here, 'nats-server'), ['raft-timers-patch.sh']);
}

/** Pinned versions from deploy/local/versions.env. */
export function pinnedVersions(): Record<string, string> {
  const text = readFileSync(join(here, 'versions.env'), 'utf8');
  return Object.fromEntries(text.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=', 2) as [string, string]));
}

function tool(name: string): string {
  const path = join(toolsDir(), name);
  if (!existsSync(path)) throw new Error(`${name} is not installed at ${path}: run \`npm run tools\` first`);
  return path;
}

/** A port that was free a moment ago (the caller retries on a collision). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => { for (const c of children) c.kill('SIGKILL'); });
  }
}

/**
 * True when every thread of process `pid` is stopped (state T, or t when
 * traced). Linux reads the stat file of each /proc/<pid>/task; elsewhere
 * `ps` reports the process state.
 */
export function isStopped(pid: number): boolean {
  if (existsSync('/proc/self/task')) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      return false;
    }
    return tasks.every((task) => {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
        // "<pid> (<comm>) <state> ...": comm may contain spaces and parentheses.
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        return state === 'T' || state === 't';
      } catch {
        return true; // the thread exited
      }
    });
  }
  try {
    return /^T/.test(execFileSync('ps', ['-o', 'state=', '-p', String(pid)], { encoding: 'utf8' }).trim());
  } catch {
    return false;
  }
}

/** One server process; `restart()` starts it again on the same port and data directory. */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private log = '';

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    readonly port: number,
    readonly dir: string,
    private readonly ready: (self: ServerProcess) => Promise<boolean>,
    /** Added to this process's environment. */
    private readonly env: Record<string, string> = {},
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last output of the process, for error messages. */
  output(): string {
    return this.log.slice(-4000);
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const child = spawn(this.command, this.args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.env } });
    this.child = child;
    track(child);
    const append = (b: Buffer) => { this.log = (this.log + b.toString()).slice(-16_000); };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited during start (code ${child.exitCode}):\n${this.output()}`);
      if (await this.ready(this).catch(() => false)) return;
      await sleep(50);
    }
    child.kill('SIGKILL');
    throw new Error(`${this.name} did not become ready within ${timeoutMs} ms:\n${this.output()}`);
  }

  /**
   * Sends a signal without waiting (SIGKILL for fault tests). To freeze the
   * server use pause(): after kill(SIGSTOP) returns, the process may go on
   * running for a while.
   */
  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }

  /**
   * SIGSTOP, resolved once the process is really stopped: every thread of it
   * in the stopped state, so nothing sent to it from now on is answered
   * until resume(). kill(SIGSTOP) returns when the signal is queued, not when
   * the process stops: Linux stops a multi-threaded process only after one
   * of its threads is scheduled, takes the signal and stops the others; the
   * other threads run on meanwhile. On a loaded machine that took up to
   * 127 ms, and a nats-server stored and acknowledged a JetStream publish
   * sent after kill() had returned.
   */
  async pause(timeoutMs = 10_000): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) throw new Error(`${this.name} is not running`);
    this.child!.kill('SIGSTOP');
    const deadline = Date.now() + timeoutMs;
    while (!isStopped(pid)) {
      if (Date.now() > deadline) throw new Error(`${this.name} (pid ${pid}) did not stop within ${timeoutMs} ms of SIGSTOP`);
      await sleep(1);
    }
  }

  /** SIGCONT: the process runs again after pause(). */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`) and waits for it to exit. */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

export interface NatsServerOptions {
  /** Cluster membership: own cluster port and every member's cluster port. */
  cluster?: { name: string; port: number; routes: number[] };
  serverName?: string;
  /** Serve the HTTP monitoring endpoints (/varz, /jsz, ...) on a free port: `monitorUrl`. @default false */
  monitor?: boolean;
}

async function startWithFreePort(make: (port: number) => Promise<ServerProcess>): Promise<ServerProcess> {
  let lastError: unknown;
  // A port that was free a moment ago can be taken by another process (parallel test files,
  // other stacks on the machine) before the server binds it: try another, after a random pause.
  for (let attempt = 0; attempt < 10; attempt++) {
    const server = await make(await freePort());
    try {
      await server.start();
      return server;
    } catch (err) {
      lastError = err;
      await server.stop(0);
      if (!/address already in use|bind/i.test(`${String(err)}\n${server.output()}`)) break;
      await sleep(20 + Math.random() * 200);
    }
  }
  throw lastError;
}

/**
 * The raft timers every nats-server here runs with (read by the build's
 * raft-timers-patch.sh). nats-server's defaults — a heartbeat every 1 s, an
 * election after 4-9 s without one — leave a JetStream cluster without a
 * stream or consumer leader for 4-9 s after its leader dies; these elect in
 * about a second. A single server has no raft groups and ignores them.
 */
export const NATS_RAFT_TIMERS = {
  NATS_RAFT_HEARTBEAT: '250ms',
  NATS_RAFT_ELECTION_TIMEOUT_MIN: '1s',
  NATS_RAFT_ELECTION_TIMEOUT_MAX: '1500ms',
} as const;

/** nats-server with JetStream on a free port. `url` is its client URL. */
export async function startNats(options: NatsServerOptions = {}): Promise<ServerProcess & { url: string; monitorUrl?: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sy-nats-'));
  let monitorPort: number | undefined;
  const server = await startWithFreePort(async (port) => {
    const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir, '-n', options.serverName ?? `sy-${port}`];
    if (options.monitor) args.push('-m', String(monitorPort = await freePort()));
    if (options.cluster) {
      args.push('--cluster_name', options.cluster.name, '--cluster', `nats://127.0.0.1:${options.cluster.port}`,
        '--routes', options.cluster.routes.map((p) => `nats://127.0.0.1:${p}`).join(','));
    }
    // Ready once *this* process says it listens on our port (a bare TCP probe could reach another
    // test's server that won a race for the same free port). JetStream readiness is the caller's
    // to wait for (a cluster needs its peers first).
    const listening = `Listening for client connections on 127.0.0.1:${port}`;
    return new ServerProcess('nats-server', natsServerBinary(), args, port, dir,
      async (s) => s.output().includes(listening) && s.output().includes('Server is ready'), NATS_RAFT_TIMERS);
  });
  return Object.assign(server, { url: `nats://127.0.0.1:${server.port}` }, monitorPort === undefined ? {} : { monitorUrl: `http://127.0.0.1:${monitorPort}` });
}

/** A 3-node (by default) JetStream cluster on loopback. `urls` lists every member for clients. */
export async function startNatsCluster(size = 3): Promise<{ members: Array<ServerProcess & { url: string }>; urls: string; stop(): Promise<void> }> {
  const clusterPorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const name = `sy-${clusterPorts[0]}`;
  const members = await Promise.all(clusterPorts.map((port, i) =>
    startNats({ serverName: `${name}-n${i + 1}`, cluster: { name, port, routes: clusterPorts } })));
  const urls = members.map((m) => m.url).join(',');
  await waitForJetStream(urls);
  return {
    members,
    urls,
    async stop() { await Promise.all(members.map((m) => m.stop())); await Promise.all(members.map((m) => rm(m.dir, { recursive: true, force: true }))); },
  };
}

/** Resolves once JetStream answers API requests (in a cluster: once a meta leader is elected). */
export async function waitForJetStream(urls: string, timeoutMs = 30_000): Promise<void> {
  const nc = await connect({ servers: urls.split(','), maxReconnectAttempts: -1 });
  try {
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await jsm.getAccountInfo();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`JetStream at ${urls} not ready within ${timeoutMs} ms: ${String(err)}`);
        await sleep(200);
      }
    }
  } finally {
    await nc.close();
  }
}

/** redis-server on a free port, no persistence. */
export async function startRedis(): Promise<ServerProcess & { url: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sy-redis-'));
  const server = await startWithFreePort(async (port) => new ServerProcess('redis-server', 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    port, dir, async (s) => /Ready to accept connections/.test(s.output())));
  return Object.assign(server, { url: `redis://127.0.0.1:${server.port}` });
}

/** The mongowire (FerretDB, SQLite) server on a free port with a temp data dir. */
export async function startMongo(): Promise<ServerProcess & { url: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sy-mongo-'));
  const server = await startWithFreePort(async (port) => new ServerProcess('mongowire', mongowireBinary(),
    ['-listen', `127.0.0.1:${port}`, '-dir', dir],
    port, dir, async (s) => /^ready /m.test(s.output())));
  return Object.assign(server, { url: `mongodb://127.0.0.1:${server.port}/` });
}

/**
 * stripe-mock (Stripe's own mock of its API, pinned in versions.env) on a free
 * loopback port, plain HTTP only. It answers every documented endpoint with
 * fixture data and validates parameters against Stripe's OpenAPI spec, but it
 * is stateless: it does not remember created objects, enforce idempotency keys
 * or simulate declines. `url` is the API base for SY_STRIPE_API_BASE.
 */
export async function startStripeMock(): Promise<ServerProcess & { url: string }> {
  // No data directory: stripe-mock keeps nothing. It also serves HTTPS, on a fixed
  // default port unless told otherwise, so parallel instances need a free one each.
  const server = await startWithFreePort(async (port) => new ServerProcess('stripe-mock', tool('stripe-mock'),
    ['-http-addr', `127.0.0.1:${port}`, '-https-addr', `127.0.0.1:${await freePort()}`],
    port, '', async (s) => s.output().includes(`Listening for HTTP at address: 127.0.0.1:${port}`) && canConnect(s.port)));
  return Object.assign(server, { url: `http://127.0.0.1:${server.port}` });
}

export interface Servers {
  nats: ServerProcess & { url: string; monitorUrl?: string };
  redis: ServerProcess & { url: string };
  mongo: ServerProcess & { url: string };
  /** Environment for switchyard processes using these servers. */
  env: { NATS_URL: string; REDIS_URL: string; MONGODB_URI: string };
  stop(): Promise<void>;
}

/** All three servers, started in parallel; `nats` options go to startNats. */
export async function startServers(options: { nats?: NatsServerOptions } = {}): Promise<Servers> {
  const started = await Promise.allSettled([startNats(options.nats), startRedis(), startMongo()]);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // Stop what did start: a live child keeps this process (and a test file) from ever exiting.
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw failed.reason;
  }
  const [nats, redis, mongo] = started.map((r) => (r as PromiseFulfilledResult<ServerProcess & { url: string }>).value) as [
    ServerProcess & { url: string }, ServerProcess & { url: string }, ServerProcess & { url: string }];
  return {
    nats, redis, mongo,
    env: { NATS_URL: nats.url, REDIS_URL: redis.url, MONGODB_URI: mongo.url },
    async stop() {
      await Promise.all([nats.stop(), redis.stop(), mongo.stop()]);
      await Promise.all([nats.dir, redis.dir, mongo.dir].map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}
