import t from 'tap';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';

let stack: Stack;
t.before(async () => { stack = await startStack({ env: { SY_LOG_LEVEL: 'debug' } }); });
t.teardown(async () => { await stack?.stop(); });

t.test('tracing - one trace id can be followed in the logs from the gateway to the actor and back', async () => {
  const traceId = randomBytes(16).toString('hex');
  const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token('tracer'));
  client.send({ type: 'cmd', id: 'traced-1', actor: 'counter', entity: 'traced', name: 'add', data: { by: 1 }, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
  await client.next((f) => f.type === 'result' && f.id === 'traced-1');
  await client.close();
  const gateway = stack.gateways[0]!;
  const worker = stack.workers[0]!;
  const deadline = Date.now() + 10_000;
  const withTrace = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.trace === traceId).map((l) => String(l.msg));
  let path: string[] = [];
  while (Date.now() < deadline) {
    path = [...withTrace(gateway.logLines()).map((m) => `gateway: ${m}`), ...withTrace(worker.logLines()).map((m) => `worker: ${m}`)];
    // The worker logs the commit after publishing the result, so its line can come after the push.
    if (path.includes('gateway: result pushed') && path.some((m) => m.startsWith('worker: command committed'))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(path.includes('gateway: command received'), `gateway logs the command with its trace id: ${JSON.stringify(path)}`);
  assert.ok(path.includes('gateway: command accepted'), `gateway logs the accept: ${JSON.stringify(path)}`);
  assert.ok(path.some((m) => m.startsWith('worker: command committed')), `the actor's log lines carry the trace id: ${JSON.stringify(path)}`);
  assert.ok(path.includes('gateway: result pushed'), `the push back to the client carries it too: ${JSON.stringify(path)}`);
});
