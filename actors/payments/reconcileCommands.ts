/**
 * payments: the reconciler's fan-out — a `reconcile` command to each order
 * a pass found behind, published to the CMD stream as a system command
 * (sender `system:reconciler`, see protocol/systemCommands.ts).
 *
 * The pass publishes these itself, inside its handler: the runtime has no
 * way yet for a decision to send commands to other entities. They are
 * idempotent all the same: the Nats-Msg-Id is `reconcile/<tick>/<order>`,
 * so a pass that runs again for the same tick (redelivery after a crash)
 * publishes duplicates JetStream drops, and applying a snapshot twice
 * changes an order once (orderService.ts).
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { PAYMENTS_ACTOR, commandMessage, type PaymentIntentSnapshot } from '../../protocol/index.js';
import { publishCommand } from '../../platform/index.js';

/** The system sender of reconciliation commands. */
export const RECONCILER_SENDER = 'system:reconciler';
export const RECONCILE_COMMAND = 'reconcile';

/**
 * Id and Nats-Msg-Id of one order's reconcile command in one pass. It holds
 * a '/', which no client command key (`<user token>:<command id>`) can, so
 * the two never collide in JetStream's duplicate window.
 */
export function reconcileCommandId(tick: number, order: string): string {
  return `reconcile/${tick}/${order}`;
}

export interface ReconcileCommand {
  /** Tick time of the pass that found it (epoch ms). */
  tick: number;
  paymentIntent: PaymentIntentSnapshot;
}

export class ReconcileCommands {
  constructor(private readonly js: JetStreamClient, private readonly partitions: number) {}

  /** Publishes one `reconcile` command per order; resolves after every JetStream ack. */
  async send(tick: number, orders: ReadonlyArray<{ order: string; paymentIntent: PaymentIntentSnapshot }>): Promise<void> {
    for (const { order, paymentIntent } of orders) {
      const data: ReconcileCommand = { tick, paymentIntent };
      const cmd = { id: reconcileCommandId(tick, order), actor: PAYMENTS_ACTOR, entity: order, name: RECONCILE_COMMAND, data };
      await publishCommand(this.js, commandMessage(cmd, { kind: 'system', sender: RECONCILER_SENDER, receivedAt: Date.now() }, this.partitions));
    }
  }
}
