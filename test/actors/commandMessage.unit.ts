/**
 * The one place a command is encoded (protocol/commandMessage.ts) against
 * the one place the runtime decodes it (actors/runtime/commandEnvelope.ts):
 * for every kind of sender, what is written reads back as the same command,
 * from the same sender, under the documented de-duplication key. Pure: the
 * message is the NATS message's subject, headers and body, without a server.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import type { JsMsg } from '@nats-io/jetstream';
import {
  HEADERS, SYSTEM_COMMAND_ORIGIN, commandKey, commandMessage, partitionOf, subjectToken, type CommandMessage, type CommandSender,
} from '../../protocol/index.js';
import { natsHeadersOf } from '../../platform/index.js';
import { parseCommand } from '../../actors/runtime/commandEnvelope.js';

const PARTITIONS = 16;
const cmd = { id: 'c-1', actor: 'counter', entity: 'e-7', name: 'add', data: { by: 2 } };

/** The message as a consumer receives it (what JetStream stores: subject, headers, body). */
function delivered(m: CommandMessage, seq = 41): JsMsg {
  const data = new TextEncoder().encode(m.body);
  return { subject: m.subject, headers: natsHeadersOf(m.headers), seq, data, json: () => JSON.parse(m.body) } as unknown as JsMsg;
}

function readBack(from: CommandSender) {
  const m = commandMessage(cmd, from, PARTITIONS);
  const parsed = parseCommand(delivered(m));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  return { m, env: parsed.envelope };
}

t.test('command message - a client command reads back with its user, session, trace and the user + id key', async () => {
  const traceparent = '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01';
  const { m, env } = readBack({ kind: 'client', user: 'alice@example.com', session: 's-9', receivedAt: 1700000000123.456, traceparent });
  assert.equal(m.subject, `cmd.counter.${partitionOf('e-7', PARTITIONS)}.e-7`);
  assert.equal(m.msgId, commandKey(subjectToken('alice@example.com'), 'c-1'));
  assert.equal(m.headers[HEADERS.msgId], m.msgId, 'the key travels as Nats-Msg-Id');
  assert.deepEqual(
    { actor: env.actor, entity: env.entity, body: env.body, key: env.key, origin: env.origin, user: env.user, session: env.session, acceptedAt: env.acceptedAt, traceparent: env.traceparent },
    { actor: 'counter', entity: 'e-7', body: { id: 'c-1', name: 'add', data: { by: 2 } }, key: m.msgId, origin: 'client', user: 'alice@example.com', session: 's-9', acceptedAt: 1700000000123.456, traceparent },
  );
});

t.test('command message - a system command reads back from its system sender, without a session, keyed by its own id', async () => {
  const { m, env } = readBack({ kind: 'system', sender: 'system:stripe-webhook', receivedAt: 1700000000000 });
  assert.equal(m.msgId, 'c-1');
  assert.equal(env.key, 'c-1');
  assert.equal(env.origin, SYSTEM_COMMAND_ORIGIN);
  assert.equal(env.user, 'system:stripe-webhook');
  assert.equal(env.session, '');
  assert.throws(() => commandMessage(cmd, { kind: 'system', sender: 'stripe', receivedAt: 0 }, PARTITIONS), /system sender starts with system:/);
});

t.test('command message - a timer or cron command reads back with its origin and no user, keyed by its own id', async () => {
  for (const origin of ['timer', 'cron'] as const) {
    const { env } = readBack({ kind: 'scheduler', origin, receivedAt: 1700000000000 });
    assert.deepEqual({ origin: env.origin, user: env.user, key: env.key }, { origin, user: '', key: 'c-1' });
  }
});

t.test('command message - a command without data has no data field in its body', async () => {
  const m = commandMessage({ id: 'c-2', actor: 'counter', entity: 'e', name: 'reset' }, { kind: 'scheduler', origin: 'cron', receivedAt: 0 }, PARTITIONS);
  assert.deepEqual(JSON.parse(m.body), { id: 'c-2', name: 'reset' });
});
