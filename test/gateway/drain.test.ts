/**
 * Guarantee 4: SIGTERM drains — no new connections, publishes in flight
 * finished, clients told to reconnect elsewhere (1012), session records
 * released, exit 0 — and no accepted command is lost.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { sessionKey } from '../../gateway/index.js';
import { addCommand, lastSeq, uniqueId } from './gatewayTestKit.js';

let stack: Stack;
t.before(async () => { stack = await startStack({ gateways: 2 }); });
t.teardown(async () => { await stack?.stop(); });

t.test('guarantee 4 - SIGTERM drains: clients are told to reconnect (1012), the gateway exits 0, and no accepted command is lost', async () => {
  const [gatewayA, gatewayB] = stack.gateways as [SwitchyardProcess, SwitchyardProcess];
  const user = 'drained';
  const entity = uniqueId('drain-entity');
  const { client: onA, welcome } = await WsTestClient.hello(stack.wsUrl(gatewayA), await stack.token(user));
  const sent: string[] = [];
  let exit: Promise<number | null> | undefined;
  for (let i = 0; i < 400 && onA.closeCode === undefined; i++) {
    const id = `d${i}`;
    sent.push(id);
    onA.send(addCommand(id, entity));
    if (i === 40) exit = gatewayA.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 2));
  }
  assert.ok(exit, 'SIGTERM was sent');
  await onA.closed;
  assert.equal(await exit, 0, 'exit code 0 after the drain');
  assert.equal(onA.closeCode, 1012);
  const draining = onA.all((f) => f.type === 'error')[0]?.error as { code: string; details: { reconnectAfterMs: number } };
  assert.equal(draining.code, 'DRAINING');
  assert.equal(typeof draining.details.reconnectAfterMs, 'number');
  const accepted = new Set(onA.all((f) => f.type === 'accepted').map((f) => f.id as string));
  assert.ok(accepted.size > 0, 'some commands were accepted before the drain');

  const redis = new Redis(stack.env.REDIS_URL!);
  try {
    assert.equal(await redis.hget(sessionKey(welcome.session as string), 'node'), '', 'the drained node released the session');
  } finally {
    redis.disconnect();
  }

  const { client: onB, welcome: resumed } = await WsTestClient.hello(stack.wsUrl(gatewayB), await stack.token(user), { session: welcome.session as string, seq: lastSeq(onA.frames, welcome) });
  assert.equal(resumed.recovered, true);
  // Commands that were not accepted are the client's to send again (same id); accepted ones must not be needed again.
  for (const id of sent) if (!accepted.has(id)) onB.send(addCommand(id, entity));
  const resultOf = (id: string) => [...onA.frames, ...onB.frames].filter((f) => f.type === 'result' && f.id === id);
  for (const id of sent) await onB.next(() => resultOf(id).length > 0, 30_000);
  for (const id of sent) assert.equal(resultOf(id).length, 1, `exactly one result for ${id}`);
  const check = uniqueId('check');
  onB.send({ type: 'cmd', id: check, actor: 'counter', entity, name: 'get' });
  const state = await onB.next((f) => f.type === 'result' && f.id === check);
  assert.deepEqual(state.data, { value: sent.length, applied: sent.length }, 'every command applied exactly once');
  await onB.close();
});

t.test('gateway lifecycle - its parts are services under the process supervisor: started in order, stopped in reverse on SIGTERM', async () => {
  const gateway = await stack.startGateway({ SY_LOG_LEVEL: 'debug' });
  assert.equal(await gateway.stop('SIGTERM'), 0);
  const lines = gateway.output().split('\n').flatMap((line) => {
    try { return [JSON.parse(line) as { msg?: string; service?: string }]; } catch { return []; }
  });
  const names = (msg: string) => lines.filter((l) => l.msg === msg && l.service).map((l) => l.service!);
  const parts = ['push fanout', 'control channel', 'topic authorizer', 'rate limiter', 'sessions', 'gap recovery', 'clients', 'command intake', 'listener'];
  assert.deepEqual(names('started'), ['nats', 'redis', ...parts, 'ready']);
  assert.deepEqual(names('stopped'), ['ready', ...[...parts].reverse(), 'redis', 'nats']);
});
