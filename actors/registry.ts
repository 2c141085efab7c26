/** Every actor type this worker runs: adding a feature is one line here (and one more if it runs services). */
import type { ActorDefinition } from './runtime/actorDefinition.js';
import type { FeatureServices } from './featureServices.js';
import { aiActor } from './ai/index.js';
import { counterActor } from './counter/index.js';
import { cryptoActor } from './crypto/index.js';
import { paymentsActor } from './payments/index.js';
import { probeActor } from './probe/index.js';
import { messagingActors, messagingServices } from './messaging/index.js';

export const registeredActors: Array<ActorDefinition<any, any>> = [
  counterActor,
  probeActor,
  aiActor,
  ...messagingActors,
  paymentsActor,
  cryptoActor,
];

/** Services features run in every worker beside their actors (actors/featureServices.ts). */
export const registeredServices: FeatureServices[] = [
  messagingServices,
];
