/**
 * crypto: the chain watcher's fan-out — one `chain.transfer` system command
 * per observation, to the order's entity, published to the CMD stream with
 * sender `system:chain-watcher` (protocol/systemCommands.ts) and
 * Nats-Msg-Id `chain/<chainId>:<txHash>:<logIndex>/<block hash>/<confirmations|removed>`.
 *
 * The watcher publishes inside its tick handler, before committing its
 * checkpoint: a watcher killed mid-range leaves its checkpoint where it was,
 * the next owner scans the same blocks again and publishes the same ids —
 * JetStream drops them inside its duplicate window, the order's applied
 * memory after it, and the order's transfer list past both.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import {
  CHAIN_TRANSFER_COMMAND, CHAIN_WATCHER_SENDER, CRYPTO_ACTOR, chainTransferCommandId, commandMessage, type CryptoTransferObserved,
} from '../../protocol/index.js';
import { publishCommand } from '../../platform/index.js';

export interface Observation {
  order: string;
  observed: CryptoTransferObserved;
}

export class TransferCommands {
  constructor(private readonly js: JetStreamClient, private readonly partitions: number) {}

  /** Publishes each observation; resolves after every JetStream ack. */
  async send(observations: readonly Observation[]): Promise<void> {
    for (const { order, observed } of observations) {
      const cmd = { id: chainTransferCommandId(observed), actor: CRYPTO_ACTOR, entity: order, name: CHAIN_TRANSFER_COMMAND, data: observed };
      await publishCommand(this.js, commandMessage(cmd, { kind: 'system', sender: CHAIN_WATCHER_SENDER, receivedAt: Date.now() }, this.partitions));
    }
  }
}
