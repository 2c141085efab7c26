/**
 * Actor worker process entry point: NATS (and streams), Redis (leases,
 * membership), MongoDB (entities, timers), the features' services
 * (actors/featureServices.ts), the worker, and a metrics/health
 * endpoint. SIGTERM is a graceful leave: partitions are handed off after
 * their held commands finish; feature services stop after the worker.
 */
import { MetricsServer, connectMongo, connectNats, connectRedis, ensureStreams, startProcess, announceReady } from '../platform/index.js';
import { CONFIG_SECTIONS } from '../composition/index.js';
import { ActorWorker } from './runtime/worker.js';
import { registeredActors, registeredServices } from './registry.js';

await startProcess('worker', CONFIG_SECTIONS, async ({ config, logger, supervisor }) => {
  const nc = await connectNats(config, { name: `worker ${config.nodeId}` });
  await ensureStreams(nc, config);
  const redis = await connectRedis(config, `worker ${config.nodeId}`);
  const mongo = await connectMongo(config, `worker ${config.nodeId}`);
  const metrics = new MetricsServer(config.host, config.workerMetricsPort);
  const actors = registeredActors.filter((a) => a.enabled?.(config) ?? true);
  const worker = new ActorWorker({ nc, db: mongo.db, redis, config, logger, actors });
  const featureServices = registeredServices.flatMap((services) => services({ db: mongo.db, nc, redis, config, logger }));
  supervisor
    .add({ name: 'nats', start: async () => {}, stop: () => nc.drain() })
    .add({ name: 'redis', start: async () => {}, stop: async () => { await redis.quit(); } })
    .add({ name: 'mongo', start: async () => {}, stop: () => mongo.client.close() })
    .add(metrics);
  for (const service of featureServices) supervisor.add(service);
  supervisor
    .add(worker)
    .add({
      name: 'ready',
      start: async () => {
        metrics.setReady(true);
        announceReady(logger, 'worker ready', { metricsPort: metrics.port, actors: actors.map((a) => a.name), member: worker.member, partitions: worker.ownedPartitions() });
      },
      stop: async () => { metrics.setReady(false); },
    });
});
