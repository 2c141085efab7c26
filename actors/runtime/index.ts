/** The actor runtime's face for feature folders: the feature-author API and the error classes. */
export {
  commandValidator, route, defineRouter, entityRepository, defineActor, RESERVED_COMMANDS,
} from './actorDefinition.js';
export type {
  ActorDefinition, ActorOptions, ActorPlatform, CommandContext, CommandOrigin, CommandRules, CommandValidator,
  Controller, CronJob, Decision, DomainEvent, EntityRepository, Route, RouteOptions, Router, TimerRequest, TopicEvent,
} from './actorDefinition.js';
export { BusinessError, TransientError, classifyError, isMarkedRetryable } from './commandErrors.js';
export { RUNTIME_CONFIG } from './runtimeConfig.js';
