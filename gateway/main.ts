/**
 * Gateway process entry point. Start order: native uWS check, NATS (and the
 * streams), Redis, then the gateway; SIGTERM drains in reverse (Gateway.stop).
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
  const gateway = new Gateway({ config, logger, nc, redis, uws, verifier });
  supervisor
    .add({ name: 'nats', start: async () => {}, stop: () => nc.drain() })
    .add({ name: 'redis', start: async () => {}, stop: async () => { await redis.quit().catch(() => redis.disconnect()); } })
    .add(gateway)
    // Printed last, once the gateway listens: process managers and tests wait for this line.
    .add({ name: 'ready', start: async () => { announceReady(logger, 'gateway ready', { port: gateway.port }); }, stop: async () => {} });
});
