/**
 * Attacks on a gateway configured as in production (issuer, audience, a
 * JWKS with key ids, a per-address connection limit, a body timeout,
 * Stripe webhooks) and on workers holding vendor secrets. Each test asserts
 * the documented answer and records what it measured for RELIABILITY.md.
 *
 * Covered elsewhere (and referenced from RELIABILITY.md): alg none, HS/RS
 * confusion, expired tokens, bad signatures (test/gateway/authAndLimits);
 * fuzzed frames (protocolFuzz); private payment orders and webhook forgery
 * and replay (test/payments/paymentFlow).
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import WebSocket from 'ws';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { subjects } from '../../protocol/index.js';
import { freePort } from '../../deploy/local/servers.js';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { startStack, TEST_JWT_SECRET, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { recordAttack } from './reliabilityReport.js';

const ISSUER = 'https://issuer.switchyard.test';
const AUDIENCE = 'switchyard-security-test';
const MAX_PER_IP = 5;
const BODY_TIMEOUT_MS = 1000;
const MAX_FRAME = 4096;
const WEBHOOK_SECRET = 'whsec_security_test_0123456789abcdef';
const STRIPE_KEY = 'sk_test_security_0123456789abcdefSECRET';
const AI_KEY = 'ai-key-security-0123456789SECRET';
const DISCORD_TOKEN = 'discord-token-security-0123456789SECRET';

let stack: Stack;
let gateway: SwitchyardProcess;
let worker: SwitchyardProcess;
let jwks: Server;
let nc: NatsConnection;
const keys = { k1: await generateKeyPair('RS256', { extractable: true }), other: await generateKeyPair('RS256', { extractable: true }) };
/** Every token and signature sent in this file: none may show up in a log. */
const sentSecrets = new Set<string>([TEST_JWT_SECRET, WEBHOOK_SECRET, STRIPE_KEY, AI_KEY, DISCORD_TOKEN]);

t.before(async () => {
  const jwk = { ...(await exportJWK(keys.k1.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => { res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify({ keys: [jwk] })); });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const closed = await freePort();
  stack = await startStack({ gateways: 0, workers: 0, env: { SY_LOG_LEVEL: 'debug', SY_MAX_FRAME_BYTES: String(MAX_FRAME) } });
  worker = await stack.startWorker({
    SY_STRIPE_SECRET_KEY: STRIPE_KEY, SY_STRIPE_API_BASE: `http://127.0.0.1:${closed}`, SY_STRIPE_MAX_NETWORK_RETRIES: '0', SY_STRIPE_TIMEOUT_MS: '1000',
    SY_AI_PROVIDER: 'openai', SY_AI_BASE_URL: `http://127.0.0.1:${closed}/v1`, SY_AI_API_KEY: AI_KEY, SY_AI_MAX_ATTEMPTS: '1',
    SY_DISCORD_WEBHOOK_URL: `http://127.0.0.1:${closed}/api/webhooks/123/${DISCORD_TOKEN}`,
    SY_ACTOR_MAX_ATTEMPTS: '2', SY_ACTOR_RETRY_BASE_MS: '50',
  });
  gateway = await stack.startGateway({
    SY_JWT_ALGORITHMS: 'HS256,RS256',
    SY_JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json`,
    SY_JWT_ISSUER: ISSUER,
    SY_JWT_AUDIENCE: AUDIENCE,
    SY_MAX_CONNECTIONS_PER_IP: String(MAX_PER_IP),
    SY_HTTP_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
    SY_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  });
  nc = await connect({ servers: stack.env.NATS_URL! });
});
t.teardown(async () => {
  await nc?.close();
  await stack?.stop();
  jwks?.close();
});

/** A token this gateway accepts (HS256, right issuer and audience). */
async function goodToken(user: string): Promise<string> {
  const token = await stack.token(user, { claims: { iss: ISSUER, aud: AUDIENCE } });
  sentSecrets.add(token);
  return token;
}

/** Connects, says hello with `token`, and returns `welcome` or `<code>/<close>`. */
async function helloWith(token: string): Promise<string> {
  sentSecrets.add(token);
  const client = await WsTestClient.connect(stack.wsUrl(gateway));
  client.send({ type: 'hello', token });
  const first = await client.next((f) => f.type === 'welcome' || f.type === 'error');
  if (first.type === 'welcome') {
    await client.close();
    return 'welcome';
  }
  await client.closed;
  return `${(first.error as { code: string }).code}/${client.closeCode}`;
}

const T1 = 'security - tokens not yet valid (nbf), with a wrong issuer or audience, an unknown kid, or a known kid and another key are refused with AUTH_FAILED (4401)';
t.test(T1, async () => {
  const now = Math.floor(Date.now() / 1000);
  const hs = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setExpirationTime(now + 600).sign(new TextEncoder().encode(TEST_JWT_SECRET));
  const rs = (kid: string, key: Parameters<SignJWT['sign']>[0], claims: Record<string, unknown> = { iss: ISSUER, aud: AUDIENCE }) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setSubject('mallory').setExpirationTime(now + 600).sign(key);
  const refused: Record<string, string> = {
    'nbf one hour ahead': await hs({ iss: ISSUER, aud: AUDIENCE, nbf: now + 3600 }),
    'wrong issuer': await hs({ iss: 'https://evil.example', aud: AUDIENCE }),
    'no issuer': await hs({ aud: AUDIENCE }),
    'wrong audience': await hs({ iss: ISSUER, aud: 'another-app' }),
    'audience list without ours': await hs({ iss: ISSUER, aud: ['a', 'b'] }),
    'unknown kid': await rs('k2', keys.other.privateKey),
    'known kid, other key': await rs('k1', keys.other.privateKey),
    'known kid, right key, wrong issuer': await rs('k1', keys.k1.privateKey, { iss: 'https://evil.example', aud: AUDIENCE }),
  };
  const answers: string[] = [];
  for (const [what, token] of Object.entries(refused)) {
    const answer = await helloWith(token);
    answers.push(`${what}: ${answer}`);
    assert.equal(answer, 'AUTH_FAILED/4401', what);
  }
  assert.equal(await helloWith(await rs('k1', keys.k1.privateKey)), 'welcome', 'a token of the JWKS key k1 with issuer and audience is accepted');
  assert.equal(await helloWith(await goodToken('alice')), 'welcome', 'an HS256 token with issuer and audience is accepted');
  recordAttack({ attack: 'JWT claims and key ids', tried: Object.keys(refused).join('; '), outcome: `each refused AUTH_FAILED, close 4401 (${answers.length}/${answers.length}); a good JWKS (kid k1) token and a good HS256 token were welcomed`, test: T1 });
});

const T2 = 'security - topic ACL bypass attempts (wildcards, other users\' topics, path and encoding tricks) are refused and nothing of another user arrives';
t.test(T2, async () => {
  const { client } = await WsTestClient.hello(stack.wsUrl(gateway), await goodToken('alice'));
  const attempts = ['>', '*', 'user.>', 'user.*', 'user.bob', 'user.alice.>', 'user.alice.*', 'user.alice.bob', 'user.=Ym9i', 'User.alice', 'user..alice',
    'user.alice/../bob', 'user.alice%2e.bob', 'user.bob\u0000', 'user.alice ', 'room.>', 'room.*', 'public.>', 'public.*', 'out.u.bob', 'live.u.bob', 'unknownkind.x'];
  const codes = new Map<string, number>();
  for (const topic of attempts) {
    const before = client.frames.length;
    client.send({ type: 'sub', topic });
    // One sub at a time: the first error or subscribed frame after it is its answer.
    const answer = await client.next((f) => (f.type === 'error' || f.type === 'subscribed') && client.frames.indexOf(f) >= before);
    assert.equal(answer.type, 'error', `${JSON.stringify(topic)} must not be joined`);
    const code = (answer.error as { code: string }).code;
    assert.ok(code === 'VALIDATION' || code === 'FORBIDDEN', `${JSON.stringify(topic)}: ${code}`);
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  assert.equal(client.all((f) => f.type === 'subscribed').length, 0);
  // Bob's push, then one for alice: once alice has hers, bob's (same gateway connection, published first) would have arrived too.
  const js = jetstream(nc);
  await js.publish(subjects.userPush('bob'), JSON.stringify({ type: 'event', topic: 'user.bob', name: 'private.to.bob', data: { secret: 1 } }));
  await js.publish(subjects.userPush('alice'), JSON.stringify({ type: 'event', topic: 'user.alice', name: 'for.alice', data: {} }));
  await client.next((f) => f.type === 'event' && f.name === 'for.alice');
  assert.equal(client.all((f) => f.type === 'event' && f.name === 'private.to.bob').length, 0, 'nothing of bob reaches alice');
  await client.close();
  recordAttack({
    attack: 'Topic ACL bypass',
    tried: `${attempts.length} sub frames: ${attempts.map((t) => JSON.stringify(t)).join(', ')}`,
    outcome: `none joined; answers ${[...codes].map(([c, n]) => `${c}×${n}`).join(', ')}; an event pushed to bob did not reach alice`,
    test: T2,
  });
});

const T3 = 'security - oversized payloads: a WebSocket frame over the limit is closed with FRAME_TOO_LARGE (1009), an HTTP body over it gets 413';
t.test(T3, async () => {
  const { client } = await WsTestClient.hello(stack.wsUrl(gateway), await goodToken('big'));
  client.send({ type: 'cmd', id: 'big1', actor: 'counter', entity: 'big', name: 'add', data: { pad: 'x'.repeat(MAX_FRAME) } });
  await client.closed;
  const wsError = client.all((f) => f.type === 'error')[0]?.error as { code: string } | undefined;
  assert.equal(wsError?.code, 'FRAME_TOO_LARGE');
  assert.equal(client.closeCode, 1009);
  assert.equal(client.all((f) => f.type === 'accepted').length, 0);
  const huge = await WsTestClient.hello(stack.wsUrl(gateway), await goodToken('huge'));
  huge.client.sendRaw('x'.repeat(MAX_FRAME * 3));
  await huge.client.closed;
  const token = await goodToken('big-http');
  const res = await fetch(`${stack.httpUrl(gateway)}/v1/commands`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'big2', actor: 'counter', entity: 'big', name: 'add', data: { pad: 'x'.repeat(MAX_FRAME * 4) } }),
  });
  const body = await res.json() as { error: { code: string } };
  assert.equal(res.status, 413);
  assert.equal(body.error.code, 'FRAME_TOO_LARGE');
  recordAttack({
    attack: 'Oversized payloads',
    tried: `WebSocket cmd frame of ~${MAX_FRAME + 100} B and a ${MAX_FRAME * 3} B frame (limit ${MAX_FRAME}); HTTP POST body of ~${MAX_FRAME * 4} B`,
    outcome: `WS: error FRAME_TOO_LARGE, close ${client.closeCode}, nothing accepted; the 3× frame: dropped by uWS, close ${huge.client.closeCode}; HTTP: ${res.status} ${body.error.code}`,
    test: T3,
  });
});

const T4 = 'security - a slow HTTP client trickling its body is cut off after SY_HTTP_BODY_TIMEOUT_MS with 408 REQUEST_TIMEOUT and the connection closed';
t.test(T4, async () => {
  const token = await goodToken('slowpoke');
  const declared = 400;
  const socket = tcpConnect({ port: gateway.port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  let response = '';
  socket.on('data', (b) => { response += b.toString(); });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  socket.write(`POST /v1/commands HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`);
  let sent = 0;
  let open = true;
  void closed.then(() => { open = false; });
  while (open && sent < declared) {
    socket.write('{');
    sent++;
    await new Promise((r) => setTimeout(r, 100));
  }
  await closed;
  assert.ok(sent < declared, 'the connection was closed while the body was still arriving');
  assert.match(response, /^HTTP\/1\.1 408/);
  assert.match(response, /"code":"REQUEST_TIMEOUT"/);
  recordAttack({
    attack: 'Slow HTTP client',
    tried: `POST /v1/commands declaring ${declared} B of body, sending 1 B every 100 ms (body timeout ${BODY_TIMEOUT_MS} ms)`,
    outcome: `answered ${response.split('\r\n')[0]} REQUEST_TIMEOUT and the connection was closed after ${sent} of ${declared} B`,
    test: T4,
  });
});

/** Opens a raw WebSocket; resolves `open` or the refusal as `<status> <code>`. */
function openSocket(url: string): Promise<{ ws: WebSocket; outcome: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve({ ws, outcome: 'open' }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (b: Buffer) => { body += b.toString(); });
      res.on('end', () => resolve({ ws, outcome: `${res.statusCode} ${(JSON.parse(body) as { error: { code: string } }).error.code}` }));
    });
    ws.on('error', () => {});
  });
}

const T5 = 'security - a connection flood from one address is refused past SY_MAX_CONNECTIONS_PER_IP with 429 TOO_MANY_CONNECTIONS (WebSocket and HTTP); a freed slot is usable again';
t.test(T5, async () => {
  const url = stack.wsUrl(gateway);
  const opened = [];
  for (let i = 0; i < MAX_PER_IP; i++) opened.push(await openSocket(url));
  assert.deepEqual(opened.map((o) => o.outcome), Array(MAX_PER_IP).fill('open'));
  const flood = await Promise.all(Array.from({ length: 20 }, () => openSocket(url)));
  const refusals = flood.map((o) => o.outcome);
  assert.deepEqual(refusals, Array(20).fill('429 TOO_MANY_CONNECTIONS'));
  const http = await fetch(`${stack.httpUrl(gateway)}/v1/commands/x`, { headers: { authorization: 'Bearer x' } });
  const httpBody = await http.json() as { error: { code: string } };
  assert.equal(http.status, 429);
  assert.equal(httpBody.error.code, 'TOO_MANY_CONNECTIONS');
  const first = opened[0]!.ws;
  await new Promise<void>((resolve) => { first.once('close', () => resolve()); first.close(); });
  const again = await openSocket(url);
  assert.equal(again.outcome, 'open', 'a closed connection frees its slot');
  for (const o of [...opened.slice(1), again]) o.ws.close();
  await Promise.all([...opened.slice(1), again].map((o) => new Promise((r) => (o.ws.readyState === WebSocket.CLOSED ? r(undefined) : o.ws.once('close', r)))));
  const after = await fetch(`${stack.httpUrl(gateway)}/v1/commands/x`, { headers: { authorization: `Bearer ${await goodToken('flooder')}` } });
  assert.equal(after.status, 404, 'HTTP is served again once the sockets are gone');
  recordAttack({
    attack: 'Connection flood from one address',
    tried: `${MAX_PER_IP} WebSockets held open (limit ${MAX_PER_IP}), then 20 more upgrades at once and an HTTP request`,
    outcome: `the ${MAX_PER_IP} opened; all 20 upgrades answered 429 TOO_MANY_CONNECTIONS; HTTP ${http.status} ${httpBody.error.code}; after one closed, a new one opened; after all closed, HTTP answered ${after.status}`,
    test: T5,
  });
});

const T6 = 'security - secrets never appear in logs: JWT secret, tokens, webhook secret and signatures, vendor keys (gateway and worker at debug level)';
t.test(T6, async () => {
  // Auth failures carrying tokens, over WebSocket and HTTP.
  const now = Math.floor(Date.now() / 1000);
  const forged = await new SignJWT({ iss: ISSUER, aud: AUDIENCE }).setProtectedHeader({ alg: 'HS256' }).setSubject('eve').setExpirationTime(now + 60).sign(new TextEncoder().encode('not-the-secret-0123456789'));
  assert.equal(await helloWith(forged), 'AUTH_FAILED/4401');
  sentSecrets.add(forged);
  const badHttp = await fetch(`${stack.httpUrl(gateway)}/v1/commands`, { method: 'POST', headers: { authorization: `Bearer ${forged}` }, body: '{}' });
  assert.equal(badHttp.status, 401);
  // Webhooks: a forged signature, and a valid one for an event that names no order.
  const event = JSON.stringify({ id: 'evt_security_1', object: 'event', type: 'customer.created', created: now, data: { object: { id: 'cus_1', object: 'customer' } } });
  const forgedSig = `t=${now},v1=${'ab'.repeat(32)}`;
  const validSig = `t=${now},v1=${createHmac('sha256', WEBHOOK_SECRET).update(`${now}.${event}`).digest('hex')}`;
  sentSecrets.add('ab'.repeat(32));
  sentSecrets.add(validSig.split('v1=')[1]!);
  const forgedRes = await fetch(`${stack.httpUrl(gateway)}/webhooks/stripe`, { method: 'POST', headers: { 'stripe-signature': forgedSig }, body: event });
  assert.equal(forgedRes.status, 400);
  const validRes = await fetch(`${stack.httpUrl(gateway)}/webhooks/stripe`, { method: 'POST', headers: { 'stripe-signature': validSig }, body: event });
  assert.equal(validRes.status, 200);
  // Vendor calls with secrets that fail (nothing listens): a checkout (Stripe key) and an AI chat (AI key).
  const { client } = await WsTestClient.hello(stack.wsUrl(gateway), await goodToken('payer'));
  client.send({ type: 'cmd', id: 'pay1', actor: 'payments', entity: `o-${Date.now()}`, name: 'checkout', data: { amount: 1000, currency: 'usd' } });
  client.send({ type: 'cmd', id: 'ai1', actor: 'ai', entity: `chat-${Date.now()}`, name: 'chat', data: { text: 'hi' } });
  const payResult = await client.next((f) => f.type === 'result' && f.id === 'pay1', 60_000);
  const aiResult = await client.next((f) => f.type === 'result' && f.id === 'ai1', 60_000);
  await client.close();
  const logs = { gateway: gateway.output(), worker: worker.output() };
  assert.ok(logs.gateway.length > 0 && logs.worker.length > 0);
  const leaks: string[] = [];
  for (const [who, text] of Object.entries(logs)) for (const secret of sentSecrets) if (text.includes(secret)) leaks.push(`${who}: ${secret.slice(0, 12)}…`);
  assert.deepEqual(leaks, [], 'no secret or token appears in any log line');
  recordAttack({
    attack: 'Secrets in logs',
    tried: `${sentSecrets.size} secrets and tokens (JWT secret, every token sent in this file, webhook secret, webhook signatures, Stripe key, AI key, Discord webhook token) vs the debug-level output of a gateway and a worker after auth failures (WS and HTTP), a forged and a valid webhook, a checkout (Stripe unreachable: result ${(payResult.error as { code?: string } | undefined)?.code ?? 'ok'}) and an AI chat (provider unreachable: result ${(aiResult.error as { code?: string } | undefined)?.code ?? 'ok'})`,
    outcome: `${leaks.length} found in ${logs.gateway.split('\n').length + logs.worker.split('\n').length} log lines`,
    test: T6,
  });
});
