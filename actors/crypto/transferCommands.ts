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
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import {
  CHAIN_TRANSFER_COMMAND, CHAIN_WATCHER_SENDER, CRYPTO_ACTOR, chainTransferCommandId, partitionOf, subjects, systemCommandHeaders,
  type CommandBody, type CryptoTransferObserved,
} from '../../protocol/index.js';

export interface Observation {
  order: string;
  observed: CryptoTransferObserved;
}

export class TransferCommands {
  constructor(private readonly js: JetStreamClient, private readonly partitions: number) {}

  /** Publishes each observation; resolves after every JetStream ack. */
  async send(observations: readonly Observation[]): Promise<void> {
    for (const { order, observed } of observations) {
      const id = chainTransferCommandId(observed);
      const body: CommandBody = { id, name: CHAIN_TRANSFER_COMMAND, data: observed };
      const h = natsHeaders();
      for (const [k, v] of Object.entries(systemCommandHeaders(CHAIN_WATCHER_SENDER, Date.now()))) h.set(k, v);
      await this.js.publish(subjects.command(CRYPTO_ACTOR, partitionOf(order, this.partitions), order), JSON.stringify(body), { msgID: id, headers: h });
    }
  }
}
