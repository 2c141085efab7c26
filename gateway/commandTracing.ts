/**
 * The gateway's spans of a command (platform/tracing.ts; installed only
 * while tracing is on — otherwise these wrappers do not exist):
 *
 *   gateway.command   frame received → accepted (JetStream ack); parent: the
 *                     client's `traceparent`, else a root span keeping the
 *                     trace id the gateway made up for the logs
 *   ├ gateway.validate  frame received → handed to the publisher (parse, schema, auth, rate limit)
 *   └ gateway.publish   JetStream publish → ack; its `traceparent` is the one the
 *                       command carries on NATS, so the actor's span hangs below it
 *   gateway.push      a push written to its socket; parent: the push's `traceparent` (the actor's span)
 */
import { epochMillis } from '../protocol/index.js';
import { activeTracer, endSpan, startSpan, traceparentOf } from '../platform/index.js';
import type { CommandPublisher } from './commandPublisher.js';
import type { WsPushDelivery } from './wsPushDelivery.js';
import { traceIdOf } from './traceContext.js';

export function traceGatewayHops(publisher: CommandPublisher, delivery: WsPushDelivery): void {
  const t = activeTracer();
  if (!t) return;

  const publish = publisher.publish.bind(publisher);
  publisher.publish = (cmd, origin) => {
    // The frame's own traceparent (CommandIntake passes the frame through); origin's is the one to send.
    const fromClient = (cmd as { traceparent?: string }).traceparent;
    const command = startSpan(t, 'gateway.command', {
      parent: fromClient, traceId: traceIdOf(origin.traceparent), startTime: origin.receivedAt,
      attributes: { 'switchyard.actor': cmd.actor, 'switchyard.command': cmd.name, 'switchyard.command_id': cmd.id },
    });
    const handedOver = epochMillis();
    startSpan(t, 'gateway.validate', { parent: command, startTime: origin.receivedAt }).end(handedOver);
    const publishing = startSpan(t, 'gateway.publish', { parent: command, startTime: handedOver, kind: 'producer' });
    return publish(cmd, { ...origin, traceparent: traceparentOf(publishing) }).then(
      (published) => {
        publishing.end();
        command.setAttribute('switchyard.duplicate', published.duplicate);
        command.end();
        return published;
      },
      (err: unknown) => {
        endSpan(publishing, err);
        endSpan(command, err);
        throw err;
      },
    );
  };

  const toSocket = delivery.toSocket.bind(delivery);
  delivery.toSocket = (ws, push, options) => {
    if (push.traceparent === undefined) return toSocket(ws, push, options);
    const span = startSpan(t, 'gateway.push', { parent: push.traceparent, attributes: { 'switchyard.push_type': push.type, 'switchyard.seq': push.seq, 'switchyard.replay': options?.replay ?? false } });
    try {
      const written = toSocket(ws, push, options);
      span.setAttribute('switchyard.written', written);
      return written;
    } finally {
      span.end();
    }
  };
}
