/**
 * Guarantee 5 (auth before anything; size, count and idle limits on every
 * input) and the documented answer to each kind of bad input. After each
 * one the gateway keeps serving other clients.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair } from 'jose';
import { startStack, TEST_JWT_SECRET, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { addCommand, assertServes, uniqueId } from './gatewayTestKit.js';

let stack: Stack;
t.before(async () => {
  stack = await startStack({
    env: { SY_MAX_FRAME_BYTES: '2048', SY_MAX_SUBSCRIPTIONS: '2', SY_MAX_IN_FLIGHT: '1', SY_HELLO_TIMEOUT_MS: '1500', SY_PUBLISH_TIMEOUT_MS: '1500', SY_IDLE_TIMEOUT_S: '8' },
  });
});
t.teardown(async () => { await stack?.stop(); });

async function errorAndClose(client: WsTestClient): Promise<{ code: string; close: number }> {
  await client.closed;
  const error = client.all((f) => f.type === 'error')[0]?.error as { code: string } | undefined;
  return { code: error?.code ?? '(no error frame)', close: client.closeCode! };
}

t.test('guarantee 5 - auth before anything: a command before hello closes with AUTH_REQUIRED (4401)', async () => {
  const client = await WsTestClient.connect(stack.wsUrl());
  client.send(addCommand(uniqueId(), 'e'));
  assert.deepEqual(await errorAndClose(client), { code: 'AUTH_REQUIRED', close: 4401 });
  assert.equal(client.all((f) => f.type === 'accepted').length, 0);
  await assertServes(stack);
});

t.test('guarantee 5 - before welcome, a frame of an unknown type or a binary frame closes with BAD_FRAME (4400), an invalid one with VALIDATION (4400)', async () => {
  const unknownType = await WsTestClient.connect(stack.wsUrl());
  unknownType.send({ type: 'subscribe', topic: 'public.a' });
  assert.deepEqual(await errorAndClose(unknownType), { code: 'BAD_FRAME', close: 4400 });
  const binary = await WsTestClient.connect(stack.wsUrl());
  binary.sendRaw(Buffer.from('{"type":"hello"}'), true);
  assert.deepEqual(await errorAndClose(binary), { code: 'BAD_FRAME', close: 4400 });
  const invalid = await WsTestClient.connect(stack.wsUrl());
  invalid.send({ type: 'sub' });
  assert.deepEqual(await errorAndClose(invalid), { code: 'VALIDATION', close: 4400 });
  await assertServes(stack);
});

t.test('guarantee 5 - a connection that sends no hello within the hello timeout is closed with AUTH_REQUIRED (4401)', async () => {
  const client = await WsTestClient.connect(stack.wsUrl());
  assert.deepEqual(await errorAndClose(client), { code: 'AUTH_REQUIRED', close: 4401 });
});

t.test('guarantee 5 - bad signature, expired token, wrong alg (none, HS512, RS256) and missing sub are refused with AUTH_FAILED (4401)', async () => {
  const secret = new TextEncoder().encode(TEST_JWT_SECRET);
  const now = Math.floor(Date.now() / 1000);
  const { privateKey } = await generateKeyPair('RS256');
  const header = (h: object) => Buffer.from(JSON.stringify(h)).toString('base64url');
  const tokens: Record<string, string> = {
    'bad signature': await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime(now + 60).sign(new TextEncoder().encode('another-secret-0123456789')),
    expired: await stack.token('x', { expiresInS: -3600 }),
    'alg none': `${header({ alg: 'none', typ: 'JWT' })}.${header({ sub: 'x', exp: now + 60 })}.`,
    'alg HS512': await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject('x').setExpirationTime(now + 60).sign(secret),
    'alg RS256': await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setSubject('x').setExpirationTime(now + 60).sign(privateKey),
    'no sub': await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now + 60).sign(secret),
    'not a JWT': 'hello-there',
  };
  for (const [what, token] of Object.entries(tokens)) {
    const client = await WsTestClient.connect(stack.wsUrl());
    client.send({ type: 'hello', token });
    assert.deepEqual(await errorAndClose(client), { code: 'AUTH_FAILED', close: 4401 }, what);
  }
  await assertServes(stack);
});

t.test('guarantee 5 - malformed JSON and unknown frame types get BAD_FRAME, an invalid cmd is rejected with VALIDATION; the connection stays open', async () => {
  const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token('sloppy'));
  client.sendRaw('{not json');
  const bad = await client.next((f) => f.type === 'error');
  assert.equal((bad.error as { code: string }).code, 'BAD_FRAME');
  client.send({ type: 'teleport' });
  await client.next((f) => f.type === 'error' && f !== bad);
  assert.deepEqual(client.all((f) => f.type === 'error').map((f) => (f.error as { code: string }).code), ['BAD_FRAME', 'BAD_FRAME']);
  client.send({ type: 'cmd', id: 'v1', actor: 'counter', entity: 'has.dot', name: 'add' });
  const rejected = await client.next((f) => f.type === 'rejected' && f.id === 'v1');
  assert.equal((rejected.error as { code: string }).code, 'VALIDATION');
  client.sendRaw(Buffer.from([1, 2, 3]), true);
  await client.next((f) => f.type === 'error' && (f.error as { code: string }).code === 'BAD_FRAME' && /Binary/.test((f.error as { message: string }).message));
  const id = uniqueId();
  client.send(addCommand(id, uniqueId('e')));
  await client.next((f) => f.type === 'result' && f.id === id);
  await client.close();
});

t.test('guarantee 5 - a frame over SY_MAX_FRAME_BYTES closes with FRAME_TOO_LARGE (1009)', async () => {
  const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token('big'));
  client.send({ type: 'cmd', id: 'big', actor: 'counter', entity: 'e', name: 'add', data: { pad: 'x'.repeat(3000) } });
  assert.deepEqual(await errorAndClose(client), { code: 'FRAME_TOO_LARGE', close: 1009 });
  await assertServes(stack);
});

t.test('guarantee 5 - a socket may join at most SY_MAX_SUBSCRIPTIONS topics (LIMIT_EXCEEDED, connection stays)', async () => {
  const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token('joiner'));
  for (const topic of ['public.a', 'public.b']) {
    client.send({ type: 'sub', topic });
    await client.next((f) => f.type === 'subscribed' && f.topic === topic);
  }
  client.send({ type: 'sub', topic: 'public.c' });
  const refused = await client.next((f) => f.type === 'error' && f.topic === 'public.c');
  assert.equal((refused.error as { code: string }).code, 'LIMIT_EXCEEDED');
  client.send({ type: 'unsub', topic: 'public.a' });
  await client.next((f) => f.type === 'unsubscribed' && f.topic === 'public.a');
  client.send({ type: 'sub', topic: 'public.c' });
  await client.next((f) => f.type === 'subscribed' && f.topic === 'public.c');
  await client.close();
});

t.test('guarantee 5 - commands in flight per socket are limited (LIMIT_EXCEEDED while the first waits for its ack)', async () => {
  const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token('hasty'));
  try {
    await stack.servers.nats.pause(); // stopped for certain, so 'first' cannot be acked before 'second' arrives
    client.send(addCommand('first', uniqueId('e')));
    client.send(addCommand('second', uniqueId('e')));
    const second = await client.next((f) => f.type === 'rejected' && f.id === 'second');
    assert.equal((second.error as { code: string }).code, 'LIMIT_EXCEEDED');
  } finally {
    stack.servers.nats.resume();
  }
  await client.next((f) => (f.type === 'rejected' || f.type === 'accepted') && f.id === 'first', 30_000);
  await client.close();
});

t.test('guarantee 5 - idle limit: a client that sends nothing but answers the gateway\'s WebSocket pings stays connected past SY_IDLE_TIMEOUT_S', async () => {
  const { client, welcome } = await WsTestClient.hello(stack.wsUrl(), await stack.token('quiet'));
  const idleMs = (welcome.limits as { idleTimeoutMs: number }).idleTimeoutMs;
  assert.equal(idleMs, 8000);
  await new Promise((resolve) => setTimeout(resolve, idleMs * 2 + 2000));
  assert.equal(client.closeCode, undefined, 'still open');
  client.send({ type: 'ping' });
  await client.next((f) => f.type === 'pong');
  await client.close();
});
