/**
 * The gateway's spans of a command (platform/tracing.ts; installed only
 * while tracing is on — otherwise these wrappers do not exist):
 *
 *   gateway.command   frame (or HTTP request, or verified webhook) received →
 *                     accepted (JetStream ack); parent: the client's
 *                     `traceparent`, else a root span keeping the trace id
 *                     the gateway made up for the logs
 *   ├ gateway.validate  frame received → handed to the publisher (parse, schema, auth, rate limit)
 *   └ gateway.publish   JetStream publish → ack; its `traceparent` is the one the
 *                       command carries on NATS, so the actor's span hangs below it
 *   gateway.push      a push written to its connection; parent: the push's `traceparent` (the actor's span)
 */
import { epochMillis, traceIdOf } from '../protocol/index.js';
import { activeTracer, endSpan, startSpan, traceparentOf } from '../platform/index.js';
import type { CommandPublisher, PublishedCommand } from './commandPublisher.js';
import type { PushDelivery } from './pushDelivery.js';

export function traceGatewayHops(publisher: CommandPublisher, delivery: PushDelivery): void {
  const t = activeTracer();
  if (!t) return;

  /** The spans around one publish: `send` gets the traceparent to put on the NATS message. */
  const traced = (
    cmd: { id: string; actor: string; name: string }, clientTraceparent: string | undefined, loggedTraceparent: string | undefined, receivedAt: number,
    send: (traceparent: string) => Promise<PublishedCommand>,
  ): Promise<PublishedCommand> => {
    const command = startSpan(t, 'gateway.command', {
      parent: clientTraceparent, traceId: traceIdOf(loggedTraceparent), startTime: receivedAt,
      attributes: { 'switchyard.actor': cmd.actor, 'switchyard.command': cmd.name, 'switchyard.command_id': cmd.id },
    });
    const handedOver = epochMillis();
    startSpan(t, 'gateway.validate', { parent: command, startTime: receivedAt }).end(handedOver);
    const publishing = startSpan(t, 'gateway.publish', { parent: command, startTime: handedOver, kind: 'producer' });
    return send(traceparentOf(publishing)).then(
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
  const publish = publisher.publish.bind(publisher);
  // The frame's own traceparent comes through with `cmd` (CommandIntake passes the frame on); origin's is the one logged.
  publisher.publish = (cmd, origin) => traced(cmd, (cmd as { traceparent?: string }).traceparent, origin.traceparent, origin.receivedAt,
    (traceparent) => publish(cmd, { ...origin, traceparent }));
  const publishSystem = publisher.publishSystem.bind(publisher);
  publisher.publishSystem = (cmd) => traced(cmd, undefined, cmd.traceparent, cmd.receivedAt, (traceparent) => publishSystem({ ...cmd, traceparent }));

  const toConnection = delivery.toConnection.bind(delivery);
  delivery.toConnection = (conn, push, options) => {
    if (push.traceparent === undefined) return toConnection(conn, push, options);
    const span = startSpan(t, 'gateway.push', { parent: push.traceparent, attributes: { 'switchyard.push_type': push.type, 'switchyard.seq': push.seq, 'switchyard.replay': options?.replay ?? false } });
    try {
      const written = toConnection(conn, push, options);
      span.setAttribute('switchyard.written', written);
      return written;
    } finally {
      span.end();
    }
  };
}
