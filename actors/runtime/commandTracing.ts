/**
 * The worker's spans of a command (platform/tracing.ts; installed only while
 * tracing is on — otherwise these wrappers do not exist):
 *
 *   actor.process            one processing of a command, from its run in a take
 *                            until the take is done; parent: the command's
 *                            `traceparent` (the gateway's publish span)
 *   ├ actor.handler          the route: validator, rules, controller (each attempt)
 *   ├ actor.commit           the take's one conditional write of state + applied + outbox
 *   ├ actor.publish_results  the take's outbox published (results, pushes, events)
 *
 * A take of several commands has one commit and one publish: each command's
 * process span gets its own child span of them, with the same times. The
 * pushes of the command carry actor.process's `traceparent`, so the
 * gateway's push span hangs below it. The processor sees the envelope
 * through a proxy that answers only `traceparent` itself: every other read
 * and every write (cancel marks, abort) reaches the envelope the mailbox holds.
 */
import { activeTracer, endSpan, startSpan, traceMethod, traceparentOf, withSpan } from '../../platform/index.js';
import type { CommandEnvelope } from './commandEnvelope.js';
import type { CommandProcessor } from './commandProcessor.js';
import type { EntityTakes } from './entityTake.js';

export function traceCommandProcessing(takes: EntityTakes<any>, processor: CommandProcessor<any, any>): void {
  const t = activeTracer();
  if (!t) return;
  const open = new WeakMap<CommandEnvelope, ReturnType<typeof startSpan>>();

  const process = takes.process.bind(takes);
  takes.process = (env, record, own) => {
    const span = startSpan(t, 'actor.process', {
      parent: env.traceparent, kind: 'consumer',
      attributes: {
        'switchyard.actor': env.actor, 'switchyard.command': env.body.name, 'switchyard.command_id': env.body.id,
        'switchyard.partition': env.partition, 'messaging.message.delivery_count': env.msg.info.deliveryCount,
      },
    });
    open.set(env, span);
    const traceparent = traceparentOf(span);
    const seen = new Proxy(env, { get: (target, key, receiver) => (key === 'traceparent' ? traceparent : Reflect.get(target, key, receiver)) }) as CommandEnvelope;
    return withSpan(span, () => process(seen, record, own));
  };

  /** Runs `step` inside one child span `name` per command of the take that has a process span. */
  const stepOf = <A extends [readonly CommandEnvelope[], ...unknown[]], R>(name: string, step: (...args: A) => Promise<R>) => (...args: A): Promise<R> => {
    const spans = args[0].flatMap((env) => {
      const parent = open.get(env);
      return parent ? [startSpan(t, name, { parent })] : [];
    });
    return step(...args).then(
      (value) => { for (const s of spans) s.end(); return value; },
      (err: unknown) => { for (const s of spans) endSpan(s, err); throw err; },
    );
  };
  takes.commit = stepOf('actor.commit', takes.commit.bind(takes));
  takes.publish = stepOf('actor.publish_results', takes.publish.bind(takes));

  const run = takes.run.bind(takes);
  takes.run = (envs, own) => {
    const finish = (err?: unknown) => {
      for (const env of envs) {
        const span = open.get(env);
        if (span) endSpan(span, err);
        open.delete(env);
      }
    };
    return run(envs, own).then(
      (outcome) => { finish(outcome.kind === 'done' ? undefined : new Error(`take ${outcome.kind}`)); return outcome; },
      (err: unknown) => { finish(err); throw err; },
    );
  };
  // `execute` is the processor's private step that runs the route (attempts, timeout, backoff).
  traceMethod(processor as unknown as { execute: () => Promise<unknown> }, 'execute', 'actor.handler');
}
