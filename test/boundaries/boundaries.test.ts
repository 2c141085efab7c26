import t from 'tap';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { checkFile } from './checkBoundaries.js';

const f = (...parts: string[]) => join(...parts);

t.test('dependency boundaries - protocol imports nothing of ours', async () => {
  assert.equal(checkFile(f('protocol', 'x.ts'), "import { a } from '../platform/index.js';").length, 1);
  assert.equal(checkFile(f('protocol', 'x.ts'), "import { a } from 'ioredis';").length, 1);
  assert.deepEqual(checkFile(f('protocol', 'x.ts'), "import Type from 'typebox';\nimport { b } from './frames.js';"), []);
});

t.test('dependency boundaries - features never import each other or the gateway', async () => {
  assert.equal(checkFile(f('actors', 'ai', 'controller.ts'), "import { x } from '../messaging/service.js';").length, 1);
  assert.equal(checkFile(f('actors', 'ai', 'controller.ts'), "import { x } from '../../gateway/gateway.js';").length, 1);
  assert.deepEqual(checkFile(f('actors', 'ai', 'controller.ts'), "import type { X } from '../runtime/index.js';"), []);
});

t.test('dependency boundaries - gateway and actors meet only through NATS', async () => {
  assert.equal(checkFile(f('gateway', 'g.ts'), "import { x } from '../actors/index.js';").length, 1);
  assert.equal(checkFile(f('actors', 'runtime', 'w.ts'), "import { x } from '../../gateway/index.js';").length, 1);
});

t.test('dependency boundaries - only integrations/ imports vendor SDKs; client/ only protocol/', async () => {
  assert.equal(checkFile(f('actors', 'payments', 'service.ts'), "import Stripe from 'stripe';").length, 1);
  assert.deepEqual(checkFile(f('integrations', 'stripe.ts'), "import Stripe from 'stripe';"), []);
  assert.equal(checkFile(f('actors', 'payments', 'notify.ts'), "import { REST } from '@discordjs/rest';").length, 1);
  assert.deepEqual(checkFile(f('integrations', 'discord.ts'), "import { REST } from '@discordjs/rest';"), []);
  assert.equal(checkFile(f('client', 'c.ts'), "import { x } from '../platform/index.js';").length, 1);
});

t.test('dependency boundaries - benchmarks may reuse the real-server test harness, nothing else of test/', async () => {
  assert.deepEqual(checkFile(f('bench', 'b.ts'), "import { startStack } from '../test/harness/stackFixture.js';"), []);
  assert.equal(checkFile(f('bench', 'b.ts'), "import { x } from '../test/gateway/gatewayTestKit.js';").length, 1);
});

t.test('dependency boundaries - another area only through its index.ts', async () => {
  const deep = checkFile(f('gateway', 'g.ts'), "import { gatewayDraining } from '../platform/metrics.js';");
  assert.equal(deep.length, 1);
  assert.match(deep[0]!, /imports platform\/metrics\.js of platform\/ \(\.\.\/platform\/metrics\.js\); another area is reached only through its index\.ts/);
  assert.equal(checkFile(f('actors', 'payments', 'controller.ts'), "import { IntegrationError } from '../../integrations/stripe.js';").length, 1);
  assert.equal(checkFile(f('actors', 'ai', 'controller.ts'), "import type { X } from '../runtime/actorDefinition.js';").length, 1, 'a feature reaches the runtime through its index');
  assert.deepEqual(checkFile(f('gateway', 'g.ts'), "import { gatewayDraining } from '../platform/index.js';"), []);
  assert.deepEqual(checkFile(f('actors', 'payments', 'metrics.ts'), "import { registry } from '../../platform/index.js';\nimport { x } from './ledgerStore.js';"), []);
  assert.deepEqual(checkFile(f('test', 'x.test.ts'), "import { y } from '../platform/metrics.js';"), [], 'tests reach into internals on purpose');
});

t.test('dependency boundaries - only process entry points import the composition root, through its index.ts', async () => {
  assert.deepEqual(checkFile(f('gateway', 'main.ts'), "import { CONFIG_SECTIONS } from '../composition/index.js';"), []);
  assert.deepEqual(checkFile(f('actors', 'main.ts'), "import { CONFIG_SECTIONS } from '../composition/index.js';"), []);
  assert.equal(checkFile(f('gateway', 'gateway.ts'), "import { CONFIG_SECTIONS } from '../composition/index.js';").length, 1);
  assert.equal(checkFile(f('actors', 'crypto', 'controller.ts'), "import { CONFIG_SECTIONS } from '../../composition/index.js';").length, 1);
  assert.equal(checkFile(f('composition', 'index.ts'), "import { GATEWAY_CONFIG } from '../gateway/gatewayConfig.js';").length, 1);
});
