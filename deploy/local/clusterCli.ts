/**
 * `npm run cluster`: a local cluster (N gateways, M workers behind HAProxy)
 * for trying scale-out by hand; LocalCluster (cluster.ts) does the work.
 * A program of its own, so importing cluster.ts never runs it (a bundle
 * makes every module's import.meta.url the program's).
 */
import { parseArgs } from 'node:util';
import { LocalCluster } from './cluster.js';
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { gateways: { type: 'string', default: '3' }, workers: { type: 'string', default: '3' } },
  });
  const gateways = Number(values.gateways);
  const workers = Number(values.workers);
  if (!(Number.isInteger(gateways) && gateways >= 1 && gateways <= 32 && Number.isInteger(workers) && workers >= 0 && workers <= 32)) {
    process.stderr.write('usage: npm run cluster -- --gateways <1..32> --workers <0..32>\n');
    process.exit(2);
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const cluster = await LocalCluster.start({ gateways, workers, env: { SY_LOG_LEVEL: process.env.SY_LOG_LEVEL ?? 'warn' } });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nstopping: draining gateways and workers…');
    await cluster.stop();
    say('stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  say('switchyard cluster is running');
  say(`  WebSocket (HAProxy)  ${cluster.wsUrl()}   (add ?affinity=<key> to come back to the same gateway)`);
  for (const g of cluster.gateways) say(`  gateway ${g.name.padEnd(6)}       ws://127.0.0.1:${g.port}/ws  pid ${g.pid}`);
  for (const w of cluster.workers) say(`  worker ${w.name.padEnd(6)}        metrics http://127.0.0.1:${w.port}/metrics  pid ${w.pid}`);
  say(`  HAProxy admin socket ${cluster.loadBalancer.api.socketPath}`);
  say(`  servers              nats ${cluster.servers.env.NATS_URL}, redis ${cluster.servers.env.REDIS_URL}, mongodb ${cluster.servers.env.MONGODB_URI}`);
  say(`  dev token            for user "alice" (24 h): ${await cluster.token('alice')}`);
  say('');
  say('Ctrl-C stops everything.');
}

main().catch((err: unknown) => {
  process.stderr.write(`cluster failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
