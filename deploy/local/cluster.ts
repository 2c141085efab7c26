/**
 * A local multi-node cluster: the servers of servers.ts, K gateway and M
 * actor-worker processes, and HAProxy in front of the gateways
 * (haproxy/loadBalancer.ts). `LocalCluster` is also what the benchmarks use
 * for churn: add a gateway or a worker, drain one with SIGTERM, kill one with
 * SIGKILL — every change goes through HAProxy's runtime API and is marked on
 * a timeline.
 *
 * `npm run cluster -- --gateways 3 --workers 3` starts one and prints where
 * to connect; Ctrl-C stops everything and leaves no process behind.
 */
import { startServers, type Servers } from './servers.js';
import { SwitchyardProcess } from './switchyardProcess.js';
import { DEV_JWT_SECRET, devToken } from './devTokens.js';
import { LoadBalancer } from './haproxy/loadBalancer.js';

export type MemberKind = 'gateway' | 'worker';

/** A process of the cluster, whatever program it runs. */
export interface ClusterMember {
  readonly kind: MemberKind;
  readonly name: string;
  readonly pid: number | undefined;
  /** Gateway: its WebSocket/HTTP port. Worker: its metrics port (or 0). */
  readonly port: number;
  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts one member; the default runs switchyard's gateway or worker. */
export type MemberSpawner = (kind: MemberKind, name: string, env: Record<string, string>) => Promise<ClusterMember>;

export const spawnSwitchyardMember: MemberSpawner = async (kind, name, env) => {
  const p = await new SwitchyardProcess(kind, { ...env, SY_NODE_ID: name }).start();
  return {
    kind, name, port: p.port,
    get pid() { return p.pid; },
    stop: (signal = 'SIGTERM') => p.stop(signal),
  };
};

/** One scaling event, as marked on the timeline. */
export interface ClusterEvent {
  /** Epoch ms when the action started. */
  at: number;
  action: 'add' | 'drain' | 'kill' | 'mark';
  kind?: MemberKind;
  member?: string;
  /** How long the action took (start to ready, signal to exit), ms. */
  tookMs?: number;
  /** Exit code after a drain or kill, or an error message. */
  detail?: string;
}

export interface LocalClusterOptions {
  /** Gateways started at once. @default 1 */
  gateways?: number;
  /** Workers started at once. @default 1 */
  workers?: number;
  /** Servers to use; started (and stopped with the cluster) when absent. */
  servers?: Servers;
  /** Load balancer to register gateways in; started (and stopped) when absent. */
  loadBalancer?: LoadBalancer;
  /** HAProxy backend of this cluster's gateways. @default 'switchyard' */
  pool?: string;
  /** Member names are `<prefix>gw<n>` / `<prefix>wk<n>`. @default '' */
  namePrefix?: string;
  /** Extra environment for every member (after the defaults). */
  env?: Record<string, string>;
  /** What a member runs. @default spawnSwitchyardMember */
  spawn?: MemberSpawner;
}

export class LocalCluster {
  readonly gateways: ClusterMember[] = [];
  readonly workers: ClusterMember[] = [];
  readonly events: ClusterEvent[] = [];
  /** Every pid that was ever a member (for CPU accounting after it is gone). */
  readonly formerPids = new Map<number, string>();
  private readonly started = { gateway: 0, worker: 0 };

  private constructor(
    readonly servers: Servers,
    readonly loadBalancer: LoadBalancer,
    readonly pool: string,
    readonly env: Record<string, string>,
    private readonly spawn: MemberSpawner,
    private readonly prefix: string,
    private readonly owns: { servers: boolean; loadBalancer: boolean },
  ) {}

  static async start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    const pool = options.pool ?? 'switchyard';
    const servers = options.servers ?? await startServers();
    let loadBalancer = options.loadBalancer;
    try {
      loadBalancer ??= await LoadBalancer.start([pool]);
    } catch (err) {
      if (!options.servers) await servers.stop();
      throw err;
    }
    const env = {
      ...servers.env,
      SY_JWT_SECRET: DEV_JWT_SECRET,
      SY_PORT: '0',
      SY_WORKER_METRICS_PORT: '0',
      SY_LOG_LEVEL: 'warn',
      ...options.env,
    };
    const cluster = new LocalCluster(servers, loadBalancer, pool, env, options.spawn ?? spawnSwitchyardMember,
      options.namePrefix ?? '', { servers: !options.servers, loadBalancer: !options.loadBalancer });
    try {
      // Workers first: the streams and consumers exist before the first command arrives.
      await Promise.all(Array.from({ length: options.workers ?? 1 }, () => cluster.addWorker()));
      await Promise.all(Array.from({ length: options.gateways ?? 1 }, () => cluster.addGateway()));
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** The load-balanced WebSocket URL of the gateways. */
  wsUrl(): string {
    return this.loadBalancer.wsUrl(this.pool);
  }

  /** Direct URL of one gateway (bypassing HAProxy). */
  gatewayUrl(member: ClusterMember): string {
    return `ws://127.0.0.1:${member.port}/ws`;
  }

  /** A development token the gateways accept. */
  token(user: string): Promise<string> {
    return devToken(user, { secret: this.env.SY_JWT_SECRET ?? DEV_JWT_SECRET });
  }

  /** Puts a label on the timeline (phase changes, load steps). */
  mark(label: string): void {
    this.events.push({ at: Date.now(), action: 'mark', detail: label });
  }

  /** Starts a gateway and adds it to HAProxy once it is ready. */
  async addGateway(): Promise<ClusterMember> {
    return this.add('gateway');
  }

  async addWorker(): Promise<ClusterMember> {
    return this.add('worker');
  }

  /**
   * Graceful leave: a gateway is put in maintenance in HAProxy first (see
   * HaproxyRuntimeApi.removeServer), then gets SIGTERM (it closes its clients
   * with 1012). Maintenance, not `drain`: a drained server still takes the
   * clients its stick table sends back, and those are exactly the clients
   * the gateway is about to close — their reconnects reached its closed
   * listen socket and waited out HAProxy's 1 s turn-around before a retry
   * (the churn bench's worst seconds, result p99 1.7–2.0 s after each gateway
   * drain). Established tunnels stay until the gateway closes them. A worker
   * gets SIGTERM.
   */
  async drain(member: ClusterMember): Promise<number | null> {
    return this.leave(member, 'drain');
  }

  /** Crash: SIGKILL, no drain; a gateway is put in maintenance in HAProxy afterwards. */
  async kill(member: ClusterMember): Promise<number | null> {
    return this.leave(member, 'kill');
  }

  async stop(): Promise<void> {
    const members = [...this.gateways, ...this.workers];
    this.gateways.length = 0;
    this.workers.length = 0;
    // Gateways first (clients are told to reconnect), then workers finish what they hold.
    await Promise.all(members.filter((m) => m.kind === 'gateway').map((m) => m.stop('SIGTERM')));
    await Promise.all(members.filter((m) => m.kind === 'worker').map((m) => m.stop('SIGTERM')));
    if (this.owns.loadBalancer) await this.loadBalancer.stop();
    if (this.owns.servers) await this.servers.stop();
  }

  private async add(kind: MemberKind): Promise<ClusterMember> {
    const name = `${this.prefix}${kind === 'gateway' ? 'gw' : 'wk'}${++this.started[kind]}`;
    const at = Date.now();
    try {
      const member = await this.spawn(kind, name, this.env);
      if (member.pid) this.formerPids.set(member.pid, `${kind} ${name}`);
      if (kind === 'gateway') {
        await this.loadBalancer.api.addServer(this.pool, name, `127.0.0.1:${member.port}`);
        this.gateways.push(member);
      } else {
        this.workers.push(member);
      }
      this.events.push({ at, action: 'add', kind, member: name, tookMs: Date.now() - at });
      return member;
    } catch (err) {
      this.events.push({ at, action: 'add', kind, member: name, tookMs: Date.now() - at, detail: `failed: ${(err as Error).message.split('\n')[0]}` });
      throw err;
    }
  }

  private async leave(member: ClusterMember, how: 'drain' | 'kill'): Promise<number | null> {
    const list = member.kind === 'gateway' ? this.gateways : this.workers;
    const index = list.indexOf(member);
    if (index < 0) throw new Error(`${member.name} is not a member of this cluster`);
    list.splice(index, 1);
    const at = Date.now();
    if (member.kind === 'gateway' && how === 'drain') await this.loadBalancer.api.removeServer(this.pool, member.name);
    const code = await member.stop(how === 'drain' ? 'SIGTERM' : 'SIGKILL');
    if (member.kind === 'gateway' && how === 'kill') await this.loadBalancer.api.removeServer(this.pool, member.name);
    this.events.push({ at, action: how, kind: member.kind, member: member.name, tookMs: Date.now() - at, detail: `exit ${code}` });
    return code;
  }
}
