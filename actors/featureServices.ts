/**
 * Extension point: long-running services a feature runs in every worker
 * process beside its actors — e.g. messaging's topic ACL responder, which
 * answers the gateways over NATS request/reply and is not a command to an
 * entity. A feature exports a `FeatureServices` factory and registers it in
 * actors/registry.ts; actors/main.ts starts the services before the actor
 * worker and stops them after it (the supervisor's reverse order).
 *
 * Kept apart from the runtime's ActorDefinition on purpose: it is the
 * smallest thing the messaging feature needed that the runtime does not
 * offer (yet); folding it into ActorDefinition is the runtime's call.
 */
import type { Redis, Service } from '../platform/index.js';
import type { ActorPlatform } from './runtime/index.js';

/** What a feature service gets: the worker's connections, Redis included. */
export interface FeaturePlatform extends ActorPlatform {
  redis: Redis;
}

export type FeatureServices = (platform: FeaturePlatform) => Service[];
