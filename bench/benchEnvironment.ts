/**
 * Starts everything a bench run measures, on this machine: the servers
 * (nats-server, redis-server, mongowire), one HAProxy with a pool per
 * design, and three clusters behind it — switchyard (gateways + actor
 * workers), the synchronous design (sync gateways + sync workers) and
 * Socket.IO (servers sharing rooms through the Redis adapter) — plus the
 * bench-side actors (slowwork, benchroom, benchnoop, checkout) behind
 * switchyard, and the bare accept/result path floor (`bare`: as many
 * barePathServer processes as switchyard has gateways, in their own HAProxy
 * pool, so the floor is driven through the same path by the same generator).
 */
import { startServers } from '../deploy/local/servers.js';
import { LoadBalancer } from '../deploy/local/haproxy/loadBalancer.js';
import { LocalCluster, type MemberSpawner } from '../deploy/local/cluster.js';
import { BaselineProcess, spawnSyncMember } from './baselines/baselineProcess.js';
import { defaultThreads, type ScenarioContext } from './scenarios/scenarioContext.js';
import type { TargetKind } from './load/loadPlan.js';

const spawnSocketIoMember: MemberSpawner = async (kind, name, env) => new BaselineProcess('socketIoServer', env, kind, name).start();
const spawnBarePathMember: MemberSpawner = async (kind, name, env) => new BaselineProcess('barePathServer', env, kind, name).start();

/** Checkouts one process runs at once (simulatedWork.ts): each sync worker and Socket.IO server; switchyard's bench actors get this × workers. */
export const WORKFLOW_CONCURRENCY_PER_PROCESS = 32;

export interface BenchEnvironmentOptions {
  short: boolean;
  gateways: number;
  workers: number;
  threads?: number;
  say(line: string): void;
}

export interface BenchEnvironment {
  ctx: ScenarioContext;
  benchActors: BaselineProcess;
  stop(): Promise<void>;
}

export async function startBenchEnvironment(options: BenchEnvironmentOptions): Promise<BenchEnvironment> {
  options.say('starting servers (nats-server, redis-server, mongowire) and HAProxy…');
  const servers = await startServers();
  const stoppers: Array<() => Promise<void>> = [() => servers.stop()];
  const stop = async () => { for (const s of stoppers.reverse()) await s().catch(() => {}); };
  try {
    const loadBalancer = await LoadBalancer.start(['switchyard', 'sync', 'socketio', 'bare']);
    stoppers.push(() => loadBalancer.stop());
    // Processes log warnings only; the drain grace is short so that churn does not wait on stragglers for long.
    // The per-user command limit (default 1000/s) would reject the accept-path runs (one user per load thread): it stays on, far above the offered rates.
    const env = { SY_LOG_LEVEL: 'warn', SY_DRAIN_GRACE_MS: '5000', SY_PARTITIONS: '16', SY_RATE_LIMIT_COMMANDS: '1000000', BENCH_WORKFLOW_CONCURRENCY: String(WORKFLOW_CONCURRENCY_PER_PROCESS) };
    options.say(`starting switchyard (${options.gateways} gateways, ${options.workers} workers), the synchronous design and Socket.IO…`);
    // The three designs start side by side (each waits for its own readiness); the bench actors
    // after them, on the CMD stream switchyard's processes create.
    const started = await Promise.allSettled([
      LocalCluster.start({ servers, loadBalancer, pool: 'switchyard', gateways: options.gateways, workers: options.workers, env }),
      LocalCluster.start({ servers, loadBalancer, pool: 'sync', namePrefix: 'sync-', spawn: spawnSyncMember, gateways: options.gateways, workers: options.workers, env }),
      LocalCluster.start({ servers, loadBalancer, pool: 'socketio', namePrefix: 'sio-', spawn: spawnSocketIoMember, gateways: options.gateways, workers: 0, env }),
      LocalCluster.start({ servers, loadBalancer, pool: 'bare', namePrefix: 'bare-', spawn: spawnBarePathMember, gateways: options.gateways, workers: 0, env }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') stoppers.push(() => s.value.stop());
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [switchyard, sync, socketio, bare] = started.map((s) => (s as PromiseFulfilledResult<LocalCluster>).value) as [LocalCluster, LocalCluster, LocalCluster, LocalCluster];
    const clusters: Record<TargetKind, LocalCluster> = { switchyard, sync, socketio, bare };
    const benchActors = await new BaselineProcess('benchActors', { ...servers.env, BENCH_WORKFLOW_CONCURRENCY: String(WORKFLOW_CONCURRENCY_PER_PROCESS * options.workers) }, 'worker', 'bench-actors').start();
    stoppers.push(async () => { await benchActors.stop(); });
    const ctx: ScenarioContext = {
      short: options.short,
      servers,
      loadBalancer,
      clusters,
      threads: options.threads ?? defaultThreads(),
      workflowConcurrency: { perSyncWorker: WORKFLOW_CONCURRENCY_PER_PROCESS, switchyard: WORKFLOW_CONCURRENCY_PER_PROCESS * options.workers },
      runTag: `r${Date.now().toString(36)}`,
      say: options.say,
      infrastructure: () => [
        { pid: servers.nats.pid, name: 'nats-server' },
        { pid: servers.redis.pid, name: 'redis-server' },
        { pid: servers.mongo.pid, name: 'mongowire (FerretDB)' },
        { pid: loadBalancer.pid, name: 'haproxy' },
        { pid: benchActors.pid, name: 'bench actors (slowwork, benchroom, benchnoop, checkout)' },
      ],
    };
    return { ctx, benchActors, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
