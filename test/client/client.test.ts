import t from 'tap';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { SwitchyardClient, ClientError, type WebSocketConstructor } from '../../client/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';

const WS = WebSocket as unknown as WebSocketConstructor;
let stack: Stack;
t.before(async () => { stack = await startStack({ gateways: 2 }); });
t.teardown(async () => { await stack?.stop(); });

t.test('client - send resolves once with the result; the accepted step is observable', async () => {
  const client = new SwitchyardClient({ url: stack.wsUrl(), token: await stack.token('carol'), WebSocket: WS });
  const welcome = await client.connect();
  assert.equal(welcome.user, 'carol');
  const cmd = client.send<{ value: number }>('counter', 'client-1', 'add', { by: 5 });
  let acceptedFirst = false;
  await cmd.accepted.then(() => { acceptedFirst = true; });
  const result = await cmd;
  assert.ok(acceptedFirst);
  assert.deepEqual(result, { value: 5 });
  assert.ok(client.lastSeq > 0, 'seq advanced');
  await client.close();
});

t.test('client - a new session starts at its welcome\'s seq: pushes from before the session are never replayed to it', async () => {
  const earlier = new SwitchyardClient({ url: stack.wsUrl(), token: await stack.token('dora'), WebSocket: WS });
  await earlier.connect();
  await earlier.send('counter', 'client-seq', 'add', { by: 1 });
  await earlier.close();
  const client = new SwitchyardClient({ url: stack.wsUrl(), token: await stack.token('dora'), WebSocket: WS });
  const welcome = await client.connect();
  assert.ok(welcome.seq > 0, 'the push log holds earlier pushes');
  assert.equal(client.lastSeq, welcome.seq, 'the client resumes from its welcome\'s seq, not from 0');
  await client.close();
});

t.test('client - a business error rejects with a ClientError carrying the code', async () => {
  const client = new SwitchyardClient({ url: stack.wsUrl(), token: await stack.token('carol'), WebSocket: WS });
  await client.connect();
  await assert.rejects(client.send('counter', 'client-2', 'add', { by: 'nope' }).result, (err: unknown) => {
    assert.ok(err instanceof ClientError);
    assert.equal(err.code, 'VALIDATION');
    assert.equal(err.retryable, false);
    return true;
  });
  await client.close();
});

t.test('client - commands sent before the connection opens are queued and delivered once', async () => {
  const client = new SwitchyardClient({ url: stack.wsUrl(), token: await stack.token('dave'), WebSocket: WS });
  const handles = [1, 2, 3].map((by) => client.send<{ value: number }>('counter', 'client-3', 'add', { by }));
  await client.connect();
  const values = await Promise.all(handles.map((h) => h.result));
  assert.deepEqual(values.map((v) => v.value), [1, 3, 6]);
  await client.close();
});

t.test('client - the offline queue is bounded: send refuses with LIMIT_EXCEEDED past maxQueued', async () => {
  const client = new SwitchyardClient({ url: stack.wsUrl(), token: await stack.token('erin'), WebSocket: WS, maxQueued: 2 });
  const a = client.send('counter', 'client-4', 'add', { by: 1 });
  const b = client.send('counter', 'client-4', 'add', { by: 1 });
  const c = client.send('counter', 'client-4', 'add', { by: 1 });
  await assert.rejects(c.result, (err: unknown) => err instanceof ClientError && err.code === 'LIMIT_EXCEEDED');
  await client.connect();
  await Promise.all([a.result, b.result]);
  await client.close();
});

t.test('client - close rejects what is still pending with UNAVAILABLE', async () => {
  const client = new SwitchyardClient({ url: stack.wsUrl(), token: await stack.token('erin'), WebSocket: WS });
  const pending = client.send('counter', 'client-5', 'add', { by: 1 });
  await client.close();
  await assert.rejects(pending.result, (err: unknown) => err instanceof ClientError && err.code === 'UNAVAILABLE');
});

t.test('client - an invalid token ends the client with AUTH_FAILED instead of retrying forever', async () => {
  const client = new SwitchyardClient({ url: stack.wsUrl(), token: 'not-a-jwt', WebSocket: WS });
  await assert.rejects(client.connect(), (err: unknown) => err instanceof ClientError && err.code === 'AUTH_FAILED');
  assert.equal(client.state, 'closed');
});
