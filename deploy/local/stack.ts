/**
 * `npm start`: the whole stack on this machine. Starts nats-server,
 * redis-server and the mongowire server on free ports (unless NATS_URL,
 * REDIS_URL or MONGODB_URI point at running ones), what the demo's AI and
 * payments need offline (demoServices.ts), one gateway and one actor
 * worker, and prints where to connect: the demo's URL with a token for
 * each demo user. Ctrl-C (or SIGTERM) drains the
 * gateway and the worker, stops the servers and leaves no process behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemo } from './demoBuild.js';
import { startDemoServices, type DemoServices } from './demoServices.js';
import { startMongo, startNats, startRedis, type ServerProcess } from './servers.js';
import { SwitchyardProcess } from './switchyardProcess.js';
import { DEV_JWT_SECRET, devToken } from './devTokens.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

const servers: Array<ServerProcess> = [];
const processes: SwitchyardProcess[] = [];
const tempDirs: string[] = [];
let demoServices: DemoServices | undefined;
const DEMO_USERS = ['alice', 'bob', 'carol'];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  say('\nstopping: draining gateway and worker…');
  // Reverse start order: gateway first (drains clients), then the worker (finishes commands), then servers.
  for (const p of [...processes].reverse()) await p.stop('SIGTERM');
  await Promise.all([...servers.map((s) => s.stop()), demoServices?.stop()]);
  await Promise.all([...servers.map((s) => s.dir), ...tempDirs].map((d) => rm(d, { recursive: true, force: true })));
  say('stopped.');
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

async function main(): Promise<void> {
  const env: Record<string, string> = {};
  const [nats, redis, mongo] = await Promise.all([
    process.env.NATS_URL ? undefined : startNats(),
    process.env.REDIS_URL ? undefined : startRedis(),
    process.env.MONGODB_URI ? undefined : startMongo(),
  ]);
  for (const s of [nats, redis, mongo]) if (s) servers.push(s);
  env.NATS_URL = process.env.NATS_URL || nats!.url;
  env.REDIS_URL = process.env.REDIS_URL || redis!.url;
  env.MONGODB_URI = process.env.MONGODB_URI || mongo!.url;
  const secret = process.env.SY_JWT_SECRET || DEV_JWT_SECRET;
  env.SY_JWT_SECRET = secret;
  say(`servers: nats ${env.NATS_URL}${nats ? ' (started)' : ''}, redis ${env.REDIS_URL}${redis ? ' (started)' : ''}, mongodb ${env.MONGODB_URI}${mongo ? ' (started)' : ''}`);

  demoServices = await startDemoServices();
  Object.assign(env, demoServices.env);

  const worker = new SwitchyardProcess('worker', { ...env, SY_WORKER_METRICS_PORT: process.env.SY_WORKER_METRICS_PORT ?? '0' });
  processes.push(worker);
  await worker.start();
  // The demo is built before the gateway starts, which serves it from SY_STATIC_DIR.
  const demoDir = await mkdtemp(join(tmpdir(), 'sy-demo-'));
  tempDirs.push(demoDir);
  const actors = (worker.logLines().find((l) => l.msg === 'worker ready')?.actors as string[] | undefined) ?? [];
  const tokens = Object.fromEntries(await Promise.all(DEMO_USERS.map(async (u) => [u, await devToken(u, { secret })] as const)));
  await buildDemo({ outDir: demoDir, tokens, actors, settings: demoServices.demo });
  const gateway = new SwitchyardProcess('gateway', { ...env, SY_STATIC_DIR: demoDir });
  processes.push(gateway);
  await gateway.start();
  const host = process.env.SY_HOST ?? '127.0.0.1';
  const base = `${host}:${gateway.port}`;
  demoServices.gatewayStarted(`http://${base}`);
  const token = tokens.alice!;
  say('');
  say('switchyard is running');
  say(`  WebSocket   ws://${base}/ws`);
  say(`  HTTP API    http://${base}/v1/commands`);
  say(`  demo app    http://${base}/app/  (pick a user in the page; or open one URL per user:)`);
  for (const user of DEMO_USERS.slice(0, 2)) say(`              ${user}: http://${base}/app/?token=${tokens[user]}`);
  say(`  metrics     http://${base}/metrics (gateway), http://${host}:${worker.port}/metrics (worker)`);
  say(`  dev token   for user "alice" (24 h): ${token}`);
  say('              another user: npm run token -- <user>');
  say('  try it      send {"type":"hello","token":"<dev token>"} then');
  say('              {"type":"cmd","id":"c1","actor":"counter","entity":"demo","name":"add","data":{"by":1}}');
  say('              {"type":"cmd","id":"a1","actor":"ai","entity":"my-chat","name":"chat","data":{"text":"Hello"}}');
  say('              (the answer streams as progress, then one result)');
  for (const line of demoServices.summary) say(`  ${line}`);
  say('');
  say('Ctrl-C stops everything.');
  // Forward process logs from here on, so problems are visible.
  for (const p of processes) void p.waitForExit().then((code) => {
    if (!stopping) {
      process.stderr.write(`${p.kind} exited unexpectedly (code ${code}):\n${p.output().slice(-2000)}\n`);
      void stopAll(1);
    }
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start failed: ${(err as Error).message}\n`);
  void stopAll(1);
});
