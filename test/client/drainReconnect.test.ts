/**
 * The SDK follows the protocol on a drain: it reconnects after the DRAINING
 * error's `details.reconnectAfterMs`, not at once. A scripted WebSocket
 * stands in for the gateway; the test measures when the second socket is
 * opened (a slow machine can only make that later, never earlier).
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { SwitchyardClient, type WebSocketConstructor, type WebSocketLike } from '../../client/index.js';

const opened: ScriptedSocket[] = [];
const openedAt: number[] = [];

/** Answers hello with a welcome; everything else is driven by the test. */
class ScriptedSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    opened.push(this);
    openedAt.push(performance.now());
    queueMicrotask(() => { this.readyState = 1; this.onopen?.({}); });
  }
  send(data: string): void {
    const frame = JSON.parse(data) as { type: string };
    if (frame.type !== 'hello') return;
    this.push({ type: 'welcome', session: 's-1', node: 'gw-1', user: 'u', resumed: opened.length > 1, recovered: true, seq: 10, limits: { maxFrameBytes: 65536, maxInFlight: 256, maxSubscriptions: 100, idleTimeoutMs: 60000 } });
  }
  close(): void {}
  push(frame: object): void { this.onmessage?.({ data: JSON.stringify(frame) }); }
  drop(code: number): void { this.readyState = 3; this.onclose?.({ code, reason: '' }); }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

t.test('client - on a drain (DRAINING, close 1012) it reconnects after details.reconnectAfterMs, as the protocol says', async () => {
  opened.length = 0;
  openedAt.length = 0;
  const client = new SwitchyardClient({ url: 'ws://gw/ws', token: 't', WebSocket: ScriptedSocket as unknown as WebSocketConstructor });
  await client.connect();
  assert.equal(opened.length, 1);
  opened[0]!.push({ type: 'error', error: { code: 'DRAINING', message: 'draining', details: { reconnectAfterMs: 1500 } } });
  const droppedAt = performance.now();
  opened[0]!.drop(1012);
  const deadline = droppedAt + 10_000;
  while (opened.length < 2 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(opened.length, 2, 'reconnected once reconnectAfterMs passed');
  assert.ok(openedAt[1]! - droppedAt >= 1500 - 1, `not before reconnectAfterMs (reconnected after ${(openedAt[1]! - droppedAt).toFixed(0)} ms)`);
  await settle();
  assert.equal(client.state, 'open');
  await client.close();
});
