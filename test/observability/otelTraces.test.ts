/**
 * OpenTelemetry traces end to end: a real stack (gateway and worker as
 * processes, real NATS, Redis, mongowire) exporting with the official
 * OTLP/HTTP exporter to a local receiver, configured only by OTEL_*
 * variables. One command is followed from the gateway through the actor to
 * the push, parent by parent.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { OtlpReceiver, type ReceivedSpan } from './otlpReceiver.js';
import { tracingRequest } from '../../platform/tracing.js';
import { CommandPublisher } from '../../gateway/commandPublisher.js';
import { PushDelivery } from '../../gateway/pushDelivery.js';
import { traceGatewayHops } from '../../gateway/commandTracing.js';
import { CommandProcessor } from '../../actors/runtime/commandProcessor.js';
import { EntityTakes } from '../../actors/runtime/entityTake.js';
import { traceCommandProcessing } from '../../actors/runtime/commandTracing.js';

const HOPS = ['gateway.command', 'gateway.validate', 'gateway.publish', 'actor.process', 'actor.handler', 'actor.commit', 'actor.publish_results', 'gateway.push'] as const;

let receiver: OtlpReceiver;
let stack: Stack;
t.before(async () => {
  receiver = await OtlpReceiver.start();
  stack = await startStack({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' } });
});
t.teardown(async () => {
  await stack?.stop();
  await receiver?.stop();
});

function byName(spans: ReceivedSpan[]): Record<string, ReceivedSpan> {
  const out: Record<string, ReceivedSpan> = {};
  for (const s of spans) if (!out[s.name]) out[s.name] = s;
  return out;
}

async function sendOne(gatewayUrl: string, user: string, id: string, traceparent?: string): Promise<string> {
  const { client } = await WsTestClient.hello(gatewayUrl, await stack.token(user));
  client.send({ type: 'cmd', id, actor: 'counter', entity: `traced-${id}`, name: 'add', data: { by: 1 }, ...(traceparent ? { traceparent } : {}) });
  await client.next((f) => f.type === 'result' && f.id === id);
  await client.close();
  return id;
}

t.test('tracing - one command gives a connected trace: gateway receive → validate → publish → actor process → handler, commit, results → push, each span the child of the hop before', async () => {
  const traceId = randomBytes(16).toString('hex');
  const clientSpan = randomBytes(8).toString('hex');
  await sendOne(stack.wsUrl(), 'tracer', 'otel-1', `00-${traceId}-${clientSpan}-01`);
  const spans = await receiver.waitForTrace(traceId, HOPS);
  const s = byName(spans);
  for (const hop of HOPS) assert.ok(s[hop], `span ${hop} exported; got ${spans.map((x) => `${x.service}/${x.name}`).join(', ')}`);
  const parentOf = (name: string) => s[name]!.parentSpanId;
  assert.equal(parentOf('gateway.command'), clientSpan, 'the gateway continues the client\'s traceparent');
  assert.equal(parentOf('gateway.validate'), s['gateway.command']!.spanId);
  assert.equal(parentOf('gateway.publish'), s['gateway.command']!.spanId);
  assert.equal(parentOf('actor.process'), s['gateway.publish']!.spanId, 'the worker continues the traceparent the NATS message carried');
  for (const step of ['actor.handler', 'actor.commit', 'actor.publish_results']) assert.equal(parentOf(step), s['actor.process']!.spanId, `${step} is a step of actor.process`);
  assert.equal(parentOf('gateway.push'), s['actor.process']!.spanId, 'the push continues the traceparent the result carried');
  for (const name of HOPS) assert.equal(s[name]!.service, name.startsWith('gateway') ? 'switchyard-gateway' : 'switchyard-worker', `${name} comes from the right process`);
  assert.equal(s['actor.process']!.attributes['switchyard.actor'], 'counter');
  assert.equal(s['gateway.command']!.attributes['switchyard.command_id'], 'otel-1');
  // Times: the publish ends before the actor starts; the push after the actor's results are out.
  assert.ok(BigInt(s['gateway.validate']!.endTimeUnixNano) <= BigInt(s['gateway.publish']!.startTimeUnixNano));
  assert.ok(BigInt(s['gateway.command']!.startTimeUnixNano) <= BigInt(s['gateway.validate']!.startTimeUnixNano));
});

t.test('tracing - a command without a traceparent starts a root span at the gateway, and the rest of the trace hangs below it', async () => {
  const before = new Set(receiver.spans.map((s) => s.spanId));
  await sendOne(stack.wsUrl(), 'tracer-2', 'otel-2');
  let root: ReceivedSpan | undefined;
  const deadline = Date.now() + 20_000;
  while (!root && Date.now() < deadline) {
    root = receiver.spans.find((s) => !before.has(s.spanId) && s.name === 'gateway.command' && s.attributes['switchyard.command_id'] === 'otel-2');
    if (!root) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(root, 'the gateway exported a span for the command');
  assert.equal(root.parentSpanId, '', 'a root span');
  const s = byName(await receiver.waitForTrace(root.traceId, HOPS));
  for (const hop of HOPS) assert.ok(s[hop], `span ${hop} in the same trace`);
  assert.equal(s['actor.process']!.parentSpanId, s['gateway.publish']!.spanId);
});

t.test('tracing - off unless OTEL_* asks for it: a gateway with OTEL_TRACES_EXPORTER=none, or with no endpoint, exports nothing while the worker beside it does', async () => {
  for (const env of [{ OTEL_TRACES_EXPORTER: 'none' }, { OTEL_EXPORTER_OTLP_ENDPOINT: '' }] as Array<Record<string, string>>) {
    const gateway = await stack.startGateway(env);
    try {
      const traceId = randomBytes(16).toString('hex');
      await sendOne(stack.wsUrl(gateway), 'untraced', `off-${Object.keys(env)[0]}`, `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
      const spans = await receiver.waitForTrace(traceId, ['actor.process', 'actor.publish_results']);
      assert.ok(spans.some((x) => x.name === 'actor.process'), 'the traced worker exported its spans (so the exporter ran meanwhile)');
      assert.deepEqual(spans.filter((x) => x.service === 'switchyard-gateway').map((x) => x.name), [], `${JSON.stringify(env)}: the gateway exported nothing`);
    } finally {
      await gateway.stop();
      stack.gateways.splice(stack.gateways.indexOf(gateway), 1);
    }
  }
});

t.test('tracing - with OTEL_* unset the hot path is untouched: no wrapper is installed, so no span object can be made', async () => {
  assert.equal(tracingRequest({}), undefined);
  assert.equal(tracingRequest({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' }), undefined);
  assert.equal(tracingRequest({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' }), undefined);
  assert.equal(tracingRequest({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' }), 'http://x:4318');
  assert.ok(tracingRequest({ OTEL_TRACES_EXPORTER: 'otlp' }));
  // This test process never started tracing: the hooks leave every method as the class defines it.
  const publisher = Object.create(CommandPublisher.prototype) as CommandPublisher;
  const delivery = Object.create(PushDelivery.prototype) as PushDelivery;
  traceGatewayHops(publisher, delivery);
  assert.equal(Object.keys(publisher).length + Object.keys(delivery).length, 0, 'no own property (wrapper) was added');
  const processor = Object.create(CommandProcessor.prototype) as CommandProcessor<unknown, unknown>;
  const takes = Object.create(EntityTakes.prototype) as EntityTakes<unknown>;
  traceCommandProcessing(takes, processor);
  assert.equal(Object.keys(processor).length + Object.keys(takes).length, 0);
});
