/**
 * Gateway process entry point. Start order: native uWS check, NATS (and the
 * streams), Redis, then the gateway's parts as services (Gateway.services);
 * SIGTERM drains in reverse.
 */
import { announceReady, connectNats, connectRedis, ensureStreams, startProcess } from '../platform/index.js';
import { CONFIG_SECTIONS } from '../composition/index.js';
import { loadNativeUws } from './nativeUws.js';
import { TokenVerifier } from './tokenVerifier.js';
import { Gateway } from './gateway.js';

await startProcess('gateway', CONFIG_SECTIONS, async ({ config, logger, supervisor }) => {
  const uws = loadNativeUws();
  const verifier = await TokenVerifier.fromConfig(config);
  const nc = await connectNats(config, { name: `gateway ${config.nodeId}` });
  await ensureStreams(nc, config);
  const redis = await connectRedis(config, `gateway ${config.nodeId}`);
  const gateway = await Gateway.build({ config, logger, nc, redis, uws, verifier });
  supervisor
    .add({ name: 'nats', start: async () => {}, stop: () => nc.drain() })
    .add({ name: 'redis', start: async () => {}, stop: async () => { await redis.quit().catch(() => redis.disconnect()); } });
  // The gateway's parts, in start order; SIGTERM stops them in reverse (the drain order of gateway.ts).
  for (const service of gateway.services()) supervisor.add(service);
  supervisor
    // Printed last, once the gateway listens: process managers and tests wait for this line.
    .add({ name: 'ready', start: async () => { announceReady(logger, 'gateway ready', { port: gateway.port }); }, stop: async () => {} });
});
