import t from 'tap';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { connect } from '@nats-io/transport-node';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { pinnedVersions } from '../../deploy/local/servers.js';
import { WsTestClient } from '../harness/wsTestClient.js';

let stack: Stack;
t.before(async () => { stack = await startStack(); });
t.teardown(async () => { await stack?.stop(); });

t.test('walking skeleton - the servers are the real ones (nats-server >= 2.12, redis-server, Mongo wire)', async (t) => {
  const nc = await connect({ servers: stack.env.NATS_URL });
  const version = nc.info!.version;
  await nc.close();
  const [major, minor] = version.split('.').map(Number);
  assert.ok(major! > 2 || (major === 2 && minor! >= 12), `nats-server ${version} is older than 2.12`);
  const redis = new Redis(stack.env.REDIS_URL!);
  const redisInfo = await redis.info('server');
  redis.disconnect();
  const mongo = await MongoClient.connect(stack.env.MONGODB_URI!);
  const build = await mongo.db('admin').command({ buildInfo: 1 });
  await mongo.close();
  t.comment(`nats-server ${version}; redis-server ${/redis_version:(\S+)/.exec(redisInfo)?.[1]}; mongo wire ${String(build.version)} (${build.ferretdbVersion !== undefined ? `FerretDB ${pinnedVersions().FERRETDB_VERSION} embedded as mongowire` : 'MongoDB'})`);
  assert.match(redisInfo, /redis_version:/);
  assert.equal(typeof build.version, 'string');
});

t.test('walking skeleton - welcome, accepted after the JetStream ack, result pushed back, state in MongoDB', async () => {
  const { client, welcome } = await WsTestClient.hello(stack.wsUrl(), await stack.token('alice'));
  assert.equal(welcome.user, 'alice');
  assert.equal(typeof welcome.session, 'string');
  for (let i = 1; i <= 3; i++) client.send({ type: 'cmd', id: `c${i}`, actor: 'counter', entity: 'skeleton', name: 'add', data: { by: i } });
  for (let i = 1; i <= 3; i++) await client.next((f) => f.type === 'accepted' && f.id === `c${i}`);
  const results = [];
  for (let i = 1; i <= 3; i++) results.push(await client.next((f) => f.type === 'result' && f.id === `c${i}`));
  assert.deepEqual(results.map((r) => (r.data as { value: number }).value), [1, 3, 6]);
  const seqs = results.map((r) => r.seq as number);
  assert.deepEqual([...seqs].sort((a, b) => a - b), seqs, 'results arrive in seq order');
  // Each accepted precedes its result.
  for (let i = 1; i <= 3; i++) {
    const a = client.frames.findIndex((f) => f.type === 'accepted' && f.id === `c${i}`);
    const r = client.frames.findIndex((f) => f.type === 'result' && f.id === `c${i}`);
    assert.ok(a < r, `accepted c${i} before its result`);
  }
  await client.close();
  const mongo = await MongoClient.connect(stack.env.MONGODB_URI!);
  const doc = await mongo.db('switchyard').collection('entities_counter').findOne({ _id: 'skeleton' as never });
  await mongo.close();
  assert.deepEqual(doc?.state, { value: 6, applied: 3 });
});

t.test('walking skeleton - a business error is a result with ok:false and a code', async () => {
  const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token('bob'));
  client.send({ type: 'cmd', id: 'bad', actor: 'counter', entity: 'skeleton-2', name: 'add', data: { by: 'x' } });
  const result = await client.next((f) => f.type === 'result' && f.id === 'bad');
  assert.equal(result.ok, false);
  assert.equal((result.error as { code: string }).code, 'VALIDATION');
  await client.close();
});
