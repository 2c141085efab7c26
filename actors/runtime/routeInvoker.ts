/**
 * Routes of an actor: `findRoute` looks a command's route up (once per
 * command: its options set the attempts and the timeout), `invokeRoute` runs
 * one attempt of it — check who may send it, parse the data (schema), run
 * the business rules, run the controller. Returns the controller's decision
 * or throws (BusinessError for refusals; anything else is classified by
 * commandErrors.ts).
 */
import type { ActorDefinition, CommandContext, Decision, Route } from './actorDefinition.js';
import { BusinessError } from './commandErrors.js';

/** The route of command `name`, or undefined when the actor has none (invokeRoute then refuses it). */
export function findRoute<S, D>(actor: ActorDefinition<S, D>, name: string): Route<S, D> | undefined {
  return Object.hasOwn(actor.router, name) ? actor.router[name] : undefined;
}

export async function invokeRoute<S, D>(actor: ActorDefinition<S, D>, route: Route<S, D> | undefined, state: S, data: unknown, ctx: CommandContext<D>): Promise<Decision<S>> {
  if (!route) throw new BusinessError('VALIDATION', `Unknown command ${ctx.name} for actor ${actor.name}.`);
  if (!(route.options.origins ?? ['client']).includes(ctx.origin)) {
    throw new BusinessError('FORBIDDEN', `Command ${ctx.name} of actor ${actor.name} cannot be sent by a ${ctx.origin}.`);
  }
  const parsed: unknown = route.validator.parse(data);
  route.validator.rules?.(parsed, state, ctx);
  return route.controller(state, parsed, ctx);
}
