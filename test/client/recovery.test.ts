import t from 'tap';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { SwitchyardClient, type RecoveryInfo, type WebSocketConstructor } from '../../client/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';

/** `ws` that records every frame the gateway sent, so the test can count results on the wire. */
const wireFrames: Array<{ type: string; id?: string }> = [];
class RecordingWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
    this.on('message', (data) => { wireFrames.push(JSON.parse(data.toString()) as { type: string; id?: string }); });
  }
}

let stack: Stack;
t.before(async () => { stack = await startStack({ gateways: 2, workers: 1 }); });
t.teardown(async () => { await stack?.stop(); });

t.test('client - the gateway dies between accepted and result; the result arrives exactly once via another node', async () => {
  const [gatewayA, gatewayB] = stack.gateways as [NonNullable<Stack['gateways'][0]>, NonNullable<Stack['gateways'][0]>];
  const client = new SwitchyardClient({
    url: [stack.wsUrl(gatewayA), stack.wsUrl(gatewayB)],
    token: await stack.token('frank'),
    WebSocket: RecordingWebSocket as unknown as WebSocketConstructor,
    backoff: { baseMs: 50, capMs: 500 },
  });
  const recoveries: RecoveryInfo[] = [];
  client.on('recovery', (info) => recoveries.push(info));
  await client.connect();
  // Warm up so the entity exists, then hold results back by stopping every worker.
  await client.send('counter', 'recovery-1', 'add', { by: 1 });
  await stack.workers[0]!.kill();

  const cmd = client.send<{ value: number }>('counter', 'recovery-1', 'add', { by: 10 });
  await cmd.accepted;
  await gatewayA.kill();
  // The client reconnects to gateway B and resumes; the result is produced only now.
  await new Promise<void>((resolve) => { const off = client.on('welcome', () => { off(); resolve(); }); });
  await stack.startWorker();
  const result = await cmd.result;
  assert.deepEqual(result, { value: 11 }, 'applied exactly once');
  // Give a duplicate the chance to show up before counting.
  await client.send('counter', 'recovery-1', 'get');
  const copies = wireFrames.filter((f) => f.type === 'result' && f.id === cmd.id);
  assert.equal(copies.length, 1, `one result frame on the wire for ${cmd.id}, got ${copies.length}`);
  assert.equal(recoveries.length, 1);
  assert.equal(recoveries[0]!.resumed, true, 'the session was resumed on gateway B');
  assert.equal(recoveries[0]!.recovered, true);
  await client.close();
});
