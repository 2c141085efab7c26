/**
 * Guarantee 5: per-user rate limits are enforced cluster-wide (two
 * gateways share one user's budget through Redis), with RATE_LIMITED and
 * details.retryAfterMs on WebSocket and 429 + Retry-After over HTTP.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { rateWindowKey } from '../../gateway/index.js';
import { addCommand, assertServes, eventually, uniqueId } from './gatewayTestKit.js';

const LIMIT = 5;
let stack: Stack;
t.before(async () => {
  stack = await startStack({ gateways: 2, env: { SY_RATE_LIMIT_COMMANDS: String(LIMIT), SY_RATE_LIMIT_WINDOW_MS: '120000', SY_RATE_LIMIT_SYNC_MS: '50' } });
});
t.teardown(async () => { await stack?.stop(); });

t.test('guarantee 5 - the per-user rate limit is enforced cluster-wide: commands counted on gateway A are refused on gateway B', async () => {
  const [gatewayA, gatewayB] = stack.gateways as [SwitchyardProcess, SwitchyardProcess];
  const user = uniqueId('limited');
  const { client: onA } = await WsTestClient.hello(stack.wsUrl(gatewayA), await stack.token(user));
  const ids = Array.from({ length: LIMIT + 1 }, () => uniqueId('rl'));
  for (const id of ids) onA.send(addCommand(id, uniqueId('rl-entity')));
  for (const id of ids.slice(0, LIMIT)) await onA.next((f) => f.type === 'accepted' && f.id === id);
  const overOnA = await onA.next((f) => f.type === 'rejected' && f.id === ids[LIMIT]);
  assert.equal((overOnA.error as { code: string }).code, 'RATE_LIMITED');

  const redis = new Redis(stack.env.REDIS_URL!);
  try {
    await eventually('gateway A to add its count to Redis', async () => Number(await redis.hget(rateWindowKey(user), 'n')) >= LIMIT);
  } finally {
    redis.disconnect();
  }
  const { client: onB } = await WsTestClient.hello(stack.wsUrl(gatewayB), await stack.token(user));
  const id = uniqueId('rl-b');
  onB.send(addCommand(id, uniqueId('rl-entity')));
  const refused = await onB.next((f) => f.type === 'rejected' && f.id === id);
  const error = refused.error as { code: string; details: { retryAfterMs: number; limit: number } };
  assert.equal(error.code, 'RATE_LIMITED');
  assert.ok(error.details.retryAfterMs > 0, 'retryAfterMs tells when to send again');
  assert.equal(error.details.limit, LIMIT);
  assert.equal(onB.all((f) => f.type === 'accepted').length, 0);

  const http = await fetch(`${stack.httpUrl(gatewayB)}/v1/commands`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await stack.token(user)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: uniqueId('rl-http'), actor: 'counter', entity: 'x', name: 'add', data: { by: 1 } }),
  });
  assert.equal(http.status, 429);
  assert.ok(Number(http.headers.get('retry-after')) >= 1);
  assert.equal(((await http.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');

  // Other users are not affected, on either gateway.
  await assertServes(stack, gatewayA);
  await assertServes(stack, gatewayB);
  await Promise.all([onA.close(), onB.close()]);
});
