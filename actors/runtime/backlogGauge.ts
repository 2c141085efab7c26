/**
 * The CMD backlog as switchyard's own gauges (the worker autoscaling signal,
 * deploy/k8s/base/worker.yaml): every worker reads, on a timer,
 *
 *  - the message count of stream CMD: a work queue, so exactly the commands
 *    not yet acked (pending + ack-pending of all CMD consumers, and commands
 *    of a partition nobody consumes right now);
 *  - pending + ack-pending of every CMD partition consumer, by actor type.
 *
 * Cost per refresh: one stream info request and one consumer list request
 * (one page per 256 consumers), whatever the load. Every worker reports the
 * same numbers, so queries aggregate with max. A failed read keeps the last
 * values (a scrape shows the gauge as it was) and is retried next round.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import { STREAMS } from '../../protocol/index.js';
import { cmdBacklog, cmdBacklogByActor } from '../../platform/index.js';
import type { Logger } from '../../platform/index.js';

/** How often the gauges are refreshed. Prometheus scrapes every 15 s in production. */
export const BACKLOG_REFRESH_MS = 5000;

/** Reads the CMD backlog once into the gauges. `actors`: the actor types to label (this worker's). */
export async function refreshBacklogGauges(jsm: JetStreamManager, actors: readonly string[]): Promise<void> {
  const stream = await jsm.streams.info(STREAMS.commands);
  const byActor = new Map(actors.map((a) => [a, 0]));
  for await (const consumer of jsm.consumers.list(STREAMS.commands)) {
    // Partition consumers filter on cmd.<actor>.<partition>.>.
    const actor = consumer.config.filter_subject?.split('.')[1];
    if (actor !== undefined && byActor.has(actor)) byActor.set(actor, byActor.get(actor)! + consumer.num_pending + consumer.num_ack_pending);
  }
  cmdBacklog.set(stream.state.messages);
  for (const [actor, messages] of byActor) cmdBacklogByActor.set({ actor }, messages);
}

/** Refreshes the gauges now and every `intervalMs` until the returned stop function is called. */
export function startBacklogGauges(jsm: JetStreamManager, actors: readonly string[], logger: Logger, intervalMs = BACKLOG_REFRESH_MS): () => void {
  let running: Promise<void> | undefined;
  const refresh = () => {
    if (running) return; // a slow server: never queue reads behind each other
    running = refreshBacklogGauges(jsm, actors)
      .catch((err: unknown) => logger.warn({ err }, 'CMD backlog gauges not refreshed'))
      .finally(() => { running = undefined; });
  };
  refresh();
  const timer = setInterval(refresh, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
