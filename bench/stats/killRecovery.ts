/**
 * How fast results come back after a worker is SIGKILLed (issue #16: "results
 * of its partitions resume within 1.5 s"), from outside, the way a client
 * sees it: for each worker kill, the commands the load generator meant to
 * send in the `windowMs` after it, and how long after the kill the last of
 * their results arrived. Commands to the dead worker's partitions wait for
 * the takeover; the others answer at once, so the last result marks when
 * the dead worker's partitions were served again. A command of the window
 * without a result makes the figure infinite (the run's lost count says why).
 */
import type { ClusterEvent } from '../../deploy/local/cluster.js';
import type { ThreadReport } from '../load/loadPlan.js';

export interface KillRecovery {
  /** Epoch ms of the SIGKILL. */
  at: number;
  member: string;
  /** Commands intended within the window after the kill. */
  commands: number;
  /** Last result of those commands, ms after the kill. */
  lastResultMs: number;
}

export function recoveryAfterWorkerKills(reports: readonly ThreadReport[], events: readonly ClusterEvent[], windowMs = 1000): KillRecovery[] {
  return events.filter((e) => e.action === 'kill' && e.kind === 'worker').map((kill) => {
    let commands = 0;
    let last = kill.at;
    for (const r of reports) {
      const c = r.commands;
      for (let i = 0; i < c.count; i++) {
        const intended = c.intended[i]!;
        if (intended < kill.at || intended >= kill.at + windowMs) continue;
        commands++;
        last = c.results[i] ? Math.max(last, c.result[i]!) : Number.POSITIVE_INFINITY;
      }
    }
    return { at: kill.at, member: kill.member ?? '', commands, lastResultMs: last - kill.at };
  });
}
