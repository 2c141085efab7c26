/**
 * The worker's spans of a command (platform/tracing.ts; installed only while
 * tracing is on — otherwise these wrappers do not exist):
 *
 *   actor.process            one processing of a command; parent: the command's
 *                            `traceparent` (the gateway's publish span)
 *   ├ actor.handler          the route: validator, rules, controller (each attempt)
 *   ├ actor.commit           the one conditional write of state + applied + outbox
 *   ├ actor.publish_results  the outbox published (results, pushes, events)
 *
 * The pushes of the command carry actor.process's `traceparent`, so the
 * gateway's push span hangs below it. The processor sees the envelope
 * through a proxy that answers only `traceparent` itself: every other read
 * and every write (cancel marks, abort) reaches the envelope the mailbox holds.
 */
import { activeTracer, endSpan, startSpan, traceMethod, traceparentOf, withSpan } from '../../platform/index.js';
import type { CommandEnvelope } from './commandEnvelope.js';
import type { CommandProcessor } from './commandProcessor.js';
import type { EntityStore } from './entityStore.js';
import type { OutboxRelay } from './outboxRelay.js';

export function traceCommandProcessing(processor: CommandProcessor<any, any>, store: EntityStore<any>, relay: OutboxRelay): void {
  const t = activeTracer();
  if (!t) return;
  const process = processor.process.bind(processor);
  processor.process = (env, own) => {
    const span = startSpan(t, 'actor.process', {
      parent: env.traceparent, kind: 'consumer',
      attributes: {
        'switchyard.actor': env.actor, 'switchyard.command': env.body.name, 'switchyard.command_id': env.body.id,
        'switchyard.partition': env.partition, 'messaging.message.delivery_count': env.msg.info.deliveryCount,
      },
    });
    const traceparent = traceparentOf(span);
    const seen = new Proxy(env, { get: (target, key, receiver) => (key === 'traceparent' ? traceparent : Reflect.get(target, key, receiver)) }) as CommandEnvelope;
    return withSpan(span, () => process(seen, own)).then(
      () => span.end(),
      (err: unknown) => { endSpan(span, err); throw err; },
    );
  };
  // `execute` is the processor's private step that runs the route (attempts, timeout, backoff).
  traceMethod(processor as unknown as { execute: () => Promise<unknown> }, 'execute', 'actor.handler');
  traceMethod(store, 'commit', 'actor.commit');
  traceMethod(relay, 'relay', 'actor.publish_results');
}
