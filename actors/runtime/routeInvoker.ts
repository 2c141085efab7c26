/**
 * One attempt of one command: find the route, check who may send it, parse
 * the data (schema), run the business rules, run the controller. Returns
 * the controller's decision or throws (BusinessError for refusals; anything
 * else is classified by commandErrors.ts).
 */
import type { ActorDefinition, CommandContext, Decision } from './actorDefinition.js';
import { BusinessError } from './commandErrors.js';

export async function invokeRoute<S, D>(actor: ActorDefinition<S, D>, state: S, data: unknown, ctx: CommandContext<D>): Promise<Decision<S>> {
  const route = Object.hasOwn(actor.router, ctx.name) ? actor.router[ctx.name] : undefined;
  if (!route) throw new BusinessError('VALIDATION', `Unknown command ${ctx.name} for actor ${actor.name}.`);
  if (!(route.options.origins ?? ['client']).includes(ctx.origin)) {
    throw new BusinessError('FORBIDDEN', `Command ${ctx.name} of actor ${actor.name} cannot be sent by a ${ctx.origin}.`);
  }
  const parsed: unknown = route.validator.parse(data);
  route.validator.rules?.(parsed, state, ctx);
  return route.controller(state, parsed, ctx);
}
