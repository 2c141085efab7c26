/**
 * The actor runtime and the feature actors. Feature folders import the
 * feature-author API from `./runtime/index.js`; processes start an
 * ActorWorker with the registered actor types.
 */
export { ActorWorker } from './runtime/worker.js';
export type { WorkerDeps } from './runtime/worker.js';
export {
  RUNTIME_CONFIG, commandValidator, route, defineRouter, entityRepository, defineActor, BusinessError, TransientError,
} from './runtime/index.js';
export type {
  ActorDefinition, ActorOptions, CommandContext, Controller, CronJob, Decision, DomainEvent, Route, Router, TimerRequest, TopicEvent,
} from './runtime/index.js';
export { registeredActors, registeredFeatures } from './registry.js';
export type { FeatureModule } from './featureModule.js';
