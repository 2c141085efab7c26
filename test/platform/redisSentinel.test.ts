import t from 'tap';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tcpConnect } from 'node:net';
import { ServerProcess, freePort, startRedis } from '../../deploy/local/servers.js';
import { connectRedis, sentinelOptions } from '../../platform/redis.js';

let redis: Awaited<ReturnType<typeof startRedis>>;
let sentinel: ServerProcess;
let dir: string;

t.before(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'sy-sentinel-'));
  const port = await freePort();
  // A real redis-sentinel watching the real redis-server (quorum 1: one sentinel).
  writeFileSync(join(dir, 'sentinel.conf'), `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor mymaster 127.0.0.1 ${redis.port} 1\n`);
  sentinel = new ServerProcess('redis-sentinel', 'redis-server', [join(dir, 'sentinel.conf'), '--sentinel'], port, dir,
    (s) => new Promise((resolve) => {
      const socket = tcpConnect({ port: s.port, host: '127.0.0.1' });
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    }));
  await sentinel.start();
});

t.teardown(async () => {
  await sentinel?.stop();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (redis) rmSync(redis.dir, { recursive: true, force: true });
});

t.test('redis - a redis+sentinel:// URL names the sentinels, the master, the password and the db', async () => {
  assert.deepEqual(sentinelOptions('redis+sentinel://:s3cr%40t@redis-0.redis:26379,redis-1.redis:26380/mymaster/2'), {
    sentinels: [{ host: 'redis-0.redis', port: 26379 }, { host: 'redis-1.redis', port: 26380 }],
    name: 'mymaster', password: 's3cr@t', db: 2,
  });
  assert.deepEqual(sentinelOptions('redis+sentinel://10.0.0.1/main'), { sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'main' });
  assert.equal(sentinelOptions('redis://127.0.0.1:6379'), undefined);
});

t.test('redis - connectRedis through a real sentinel reaches the master it names', async () => {
  const client = await connectRedis({ redisUrl: `redis+sentinel://127.0.0.1:${sentinel.port}/mymaster` }, 'sentinel-test');
  try {
    await client.set('sentinel-test', 'through the sentinel');
    assert.equal(await client.get('sentinel-test'), 'through the sentinel');
    const info = await client.info('server');
    assert.match(info, new RegExp(`tcp_port:${redis.port}\\b`), 'the client talks to the monitored redis-server');
  } finally {
    client.disconnect();
  }
});
