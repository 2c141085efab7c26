/**
 * Every feature this worker runs (actors/featureModule.ts): adding a feature
 * is one entry here. The actor types, feature services, config sections
 * and metric sections the processes and generated docs use are read from
 * this list.
 */
import type { ActorDefinition } from './runtime/index.js';
import type { FeatureServices } from './featureServices.js';
import type { FeatureModule } from './featureModule.js';
import { AI_CONFIG, AI_METRICS, aiActor } from './ai/index.js';
import { counterActor } from './counter/index.js';
import { CRYPTO_CONFIG, cryptoActor } from './crypto/index.js';
import { PAYMENTS_CONFIG, PAYMENTS_METRICS, paymentsActor } from './payments/index.js';
import { probeActor } from './probe/index.js';
import { MESSAGING_CONFIG, MESSAGING_METRICS, messagingActors, messagingServices } from './messaging/index.js';

export const registeredFeatures: readonly FeatureModule[] = [
  { name: 'counter', actors: [counterActor] },
  { name: 'probe', actors: [probeActor] },
  { name: 'ai', actors: [aiActor], config: AI_CONFIG, metrics: AI_METRICS },
  { name: 'messaging', actors: messagingActors, services: messagingServices, config: MESSAGING_CONFIG, metrics: MESSAGING_METRICS },
  { name: 'payments', actors: [paymentsActor], config: PAYMENTS_CONFIG, metrics: PAYMENTS_METRICS },
  { name: 'crypto', actors: [cryptoActor], config: CRYPTO_CONFIG },
];

export const registeredActors: Array<ActorDefinition<any, any>> = registeredFeatures.flatMap((f) => [...f.actors]);

/** Services features run in every worker beside their actors (actors/featureServices.ts). */
export const registeredServices: FeatureServices[] = registeredFeatures.flatMap((f) => (f.services ? [f.services] : []));
