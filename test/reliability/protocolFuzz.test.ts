/**
 * Protocol fuzzing (fast-check) against a real gateway process: random and
 * mutated frames, deep nesting, huge strings, invalid UTF-8, binary frames,
 * random orders of valid frames. The gateway must answer every bad frame
 * with a documented error code (or close with a documented close code),
 * never crash, and keep serving other clients with bounded memory.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ERROR_CODES, isErrorCode } from '../../protocol/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { WsTestClient, type Frame } from '../harness/wsTestClient.js';
import { hardFrameLimit } from '../../gateway/wsEndpoint.js';

/** Close codes a client may see for application-level problems: ours from the error table. */
const DOCUMENTED_CLOSES = new Set<number>([...Object.values(ERROR_CODES).map((e) => e.wsClose), 1000]);
/**
 * Transport-level violations are handled by uWebSockets.js itself, which drops
 * the connection without a close frame (the client sees 1006): text frames that
 * are not UTF-8, and frames beyond its hard payload limit. protocol/README.md
 * documents both.
 */
const TRANSPORT_CLOSES = new Set<number>([1006, 1007, 1009]);
const MAX_FRAME = 16_384;

let stack: Stack;
let token: string;
t.before(async () => {
  stack = await startStack({ env: { SY_MAX_FRAME_BYTES: String(MAX_FRAME) } });
  token = await stack.token('fuzzer');
});
t.teardown(async () => { await stack?.stop(); });

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/** Waits for the gateway's reaction to a bad frame: an error/rejected frame with a known code, or a documented close. */
async function reaction(client: WsTestClient, from: number, allowedCloses = DOCUMENTED_CLOSES): Promise<string> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const answer = client.frames.slice(from).find((f) => f.type === 'error' || f.type === 'rejected');
    if (answer) {
      const code = (answer.error as { code?: unknown } | undefined)?.code;
      assert.ok(isErrorCode(code), `undocumented error code in ${JSON.stringify(answer)}`);
      return String(code);
    }
    if (client.closeCode !== undefined) {
      assert.ok(allowedCloses.has(client.closeCode), `undocumented close code ${client.closeCode} (${client.closeReason})`);
      return `close ${client.closeCode}`;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no reaction to a bad frame within 5 s; frames: ${JSON.stringify(client.frames.slice(from))}`);
}

const deepNest = fc.integer({ min: 100, max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`);
const deepDataCmd = fc.integer({ min: 33, max: 2500 }).map((n) =>
  `{"type":"cmd","id":"deep","actor":"counter","entity":"e","name":"add","data":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`);
const randomJson = fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v));
const mutatedCmd = fc.record({
  type: fc.constantFrom('cmd', 'sub', 'unsub', 'hello', 'ping', 'CMD', '', 'welcome'),
  id: fc.oneof(fc.string({ maxLength: 80 }), fc.integer(), fc.constant(undefined)),
  actor: fc.oneof(fc.constantFrom('counter', 'Counter', 'a.b', '*', '>', ''), fc.string({ maxLength: 40 })),
  entity: fc.oneof(fc.constantFrom('e', 'a.b', 'x y', '>', ''), fc.string({ maxLength: 200 })),
  name: fc.oneof(fc.constantFrom('add', 'get', '__proto__', 'constructor'), fc.string({ maxLength: 70 })),
  topic: fc.oneof(fc.constantFrom('room.1', 'user.other', '>', 'room.*'), fc.string({ maxLength: 130 })),
  extra: fc.option(fc.jsonValue({ maxDepth: 2 })),
}, { requiredKeys: ['type'] }).map((r) => JSON.stringify(r));
const notJson = fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('{', '{"type":', 'null', '[]', '"cmd"', '{"type":"cmd"', '\u0000'));

/** Frames that are never valid for an authenticated connection (anything but a well-formed cmd/sub/unsub/ping). */
const badFrame = fc.oneof(notJson, randomJson, mutatedCmd, deepNest, deepDataCmd)
  .filter((text) => {
    try {
      const v = JSON.parse(text) as { type?: unknown };
      return !(v && typeof v === 'object' && v.type === 'ping' && Object.keys(v).length === 1);
    } catch { return true; }
  });

t.test('fuzz - every bad frame after hello gets a documented error code or a documented close, and the gateway keeps serving', async () => {
  const gateway = stack.gateways[0]!;
  const rssBefore = rssKb(gateway.pid!);
  const seen = new Map<string, number>();
  let { client } = await WsTestClient.hello(stack.wsUrl(), token);
  await fc.assert(fc.asyncProperty(badFrame, async (text) => {
    if (client.closeCode !== undefined) ({ client } = await WsTestClient.hello(stack.wsUrl(), token));
    const from = client.frames.length;
    client.send(text);
    const what = await reaction(client, from);
    seen.set(what, (seen.get(what) ?? 0) + 1);
  }), { numRuns: 300 });
  await client.close();
  // The process is alive and serves a fresh client end to end.
  const fresh = await WsTestClient.hello(stack.wsUrl(), token);
  fresh.client.send({ type: 'cmd', id: 'after-fuzz', actor: 'counter', entity: 'fuzz', name: 'add', data: { by: 1 } });
  await fresh.client.next((f: Frame) => f.type === 'result' && f.id === 'after-fuzz');
  await fresh.client.close();
  const growthMb = (rssKb(gateway.pid!) - rssBefore) / 1024;
  assert.ok(growthMb < 100, `gateway memory grew by ${growthMb.toFixed(1)} MB during the fuzz run`);
  assert.ok(seen.size >= 2, `several kinds of reaction were exercised: ${JSON.stringify([...seen])}`);
});

t.test('fuzz - any first frame other than a valid hello is refused before anything else happens', async () => {
  const firstFrame = fc.oneof(badFrame, fc.constantFrom('{"type":"ping"}', '{"type":"cmd","id":"c","actor":"counter","entity":"e","name":"add","data":{"by":1}}', '{"type":"sub","topic":"room.a"}'));
  await fc.assert(fc.asyncProperty(firstFrame, async (text) => {
    const client = await WsTestClient.connect(stack.wsUrl());
    client.send(text);
    const what = await reaction(client, 0);
    assert.ok(!client.frames.some((f) => f.type === 'accepted' || f.type === 'welcome' || f.type === 'result'), `nothing is accepted before auth (${what})`);
    client.terminate();
  }), { numRuns: 100 });
});

t.test('fuzz - a frame over the size limit is refused with FRAME_TOO_LARGE and close 1009; far over it the transport drops the connection', async () => {
  const hardLimit = hardFrameLimit(MAX_FRAME);
  await fc.assert(fc.asyncProperty(fc.integer({ min: MAX_FRAME + 1, max: hardLimit * 2 }), async (size) => {
    const { client } = await WsTestClient.hello(stack.wsUrl(), token);
    const from = client.frames.length;
    client.send('y'.repeat(size));
    const what = await reaction(client, from, TRANSPORT_CLOSES);
    if (size <= hardLimit) {
      assert.equal(what, 'FRAME_TOO_LARGE');
      await client.closed;
      assert.equal(client.closeCode, 1009);
    } else {
      assert.equal(what, 'close 1006', 'beyond the transport limit uWS drops the connection');
    }
    client.terminate();
  }), { numRuns: 20 });
  const fresh = await WsTestClient.hello(stack.wsUrl(), token);
  await fresh.client.close();
});

t.test('fuzz - binary frames get BAD_FRAME; text frames that are not UTF-8 are dropped by the WebSocket layer', async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), fc.boolean(), async (bytes, binary) => {
    const { client } = await WsTestClient.hello(stack.wsUrl(), token);
    const from = client.frames.length;
    client.sendRaw(Buffer.from(bytes), binary);
    const validUtf8 = Buffer.from(Buffer.from(bytes).toString('utf8'), 'utf8').equals(Buffer.from(bytes));
    const what = await reaction(client, from, binary || validUtf8 ? DOCUMENTED_CLOSES : TRANSPORT_CLOSES);
    if (binary) assert.equal(what, 'BAD_FRAME');
    client.terminate();
  }), { numRuns: 60 });
});
