/**
 * Gateway-to-gateway control over core NATS: `ctl.gw.<node>` carries
 * GatewayControl messages (protocol/services.ts). Today: session takeover —
 * the node that resumed a session tells the previous node to close its stale
 * socket. Losing such a message is harmless: the previous node also finds
 * the newer epoch at its next heartbeat.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { Compile } from 'typebox/compile';
import { GatewayControl, subjects, type SessionTakeover } from '../protocol/index.js';

const checkControl = Compile(GatewayControl);

export class ControlChannel {
  private sub: Subscription | undefined;

  constructor(private readonly nc: NatsConnection, private readonly node: string, private readonly onTakeover: (takeover: SessionTakeover) => void) {}

  start(): void {
    this.sub = this.nc.subscribe(subjects.gatewayControl(this.node), {
      callback: (err, msg) => {
        if (err) return;
        let body: unknown;
        try { body = msg.json(); } catch { return; }
        if (checkControl.Check(body) && body.type === 'takeover') this.onTakeover(body);
      },
    });
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  /** Tells `node` that `session` now lives on this node with `epoch`. */
  sendTakeover(node: string, session: string, epoch: number): void {
    const message: SessionTakeover = { type: 'takeover', session, epoch, node: this.node };
    this.nc.publish(subjects.gatewayControl(node), JSON.stringify(message));
  }
}
