/**
 * The autoscale-churn controller: while load runs, it changes the cluster on
 * a fixed schedule — adds gateways and workers, drains them with SIGTERM and
 * kills them with SIGKILL — through LocalCluster (HAProxy's runtime API for
 * gateways), and every change lands on the cluster's timeline. At least one
 * gateway and one worker stay up, so the system is degraded but never gone.
 */
import type { ClusterMember, LocalCluster, MemberKind } from '../../deploy/local/cluster.js';
import type { ProcessSampler } from '../process/processSampler.js';

type Step = { action: 'add' | 'drain' | 'kill'; kind: MemberKind };

/** One cycle of 8 steps: every kind of change for gateways and for workers, twice as many exits as the floor allows. */
export const CHURN_CYCLE: Step[] = [
  { action: 'add', kind: 'gateway' },
  { action: 'kill', kind: 'worker' },
  { action: 'add', kind: 'worker' },
  { action: 'drain', kind: 'gateway' },
  { action: 'add', kind: 'gateway' },
  { action: 'kill', kind: 'gateway' },
  { action: 'add', kind: 'worker' },
  { action: 'drain', kind: 'worker' },
];

export interface ChurnOptions {
  /** Time between two changes. */
  intervalMs: number;
  /** Stop scheduling changes after this long (the load runs a little longer). */
  durationMs: number;
  /**
   * Member kinds this design has (Socket.IO: gateways only — its servers do the work). A step for a
   * kind not listed keeps its slot in the schedule and changes nothing, so every design gets the same
   * schedule. @default both
   */
  kinds?: MemberKind[];
  say(line: string): void;
}

export async function runChurn(cluster: LocalCluster, sampler: ProcessSampler, options: ChurnOptions): Promise<number> {
  const end = Date.now() + options.durationMs;
  let step = 0;
  let changes = 0;
  await new Promise((r) => setTimeout(r, options.intervalMs));
  while (Date.now() < end) {
    const planned = CHURN_CYCLE[step++ % CHURN_CYCLE.length]!;
    const tick = Date.now();
    if (options.kinds && !options.kinds.includes(planned.kind)) {
      options.say(`  churn: ${planned.action} ${planned.kind}: this design has no ${planned.kind}s (slot kept)`);
      await new Promise((r) => setTimeout(r, Math.min(options.intervalMs, Math.max(0, end - Date.now()))));
      continue;
    }
    const members = planned.kind === 'gateway' ? cluster.gateways : cluster.workers;
    try {
      if (planned.action === 'add' || members.length <= 1) {
        const added: ClusterMember = planned.kind === 'gateway' ? await cluster.addGateway() : await cluster.addWorker();
        sampler.track(added.pid, `${cluster.pool} ${added.kind} ${added.name}`);
        options.say(`  churn: + ${planned.kind} ${added.name}`);
      } else {
        // The oldest member leaves: it holds the most connections / work.
        const victim = members[0]!;
        const code = planned.action === 'drain' ? await cluster.drain(victim) : await cluster.kill(victim);
        options.say(`  churn: ${planned.action === 'drain' ? 'SIGTERM' : 'SIGKILL'} ${planned.kind} ${victim.name} (exit ${code})`);
      }
      changes++;
    } catch (err) {
      options.say(`  churn: ${planned.action} ${planned.kind} failed: ${(err as Error).message.split('\n')[0]}`);
    }
    const wait = options.intervalMs - (Date.now() - tick);
    if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, end - Date.now()))));
  }
  return changes;
}
