/**
 * A controller test kit: run a feature's routes against one entity held in
 * memory — no NATS, no MongoDB, no worker — so feature logic is tested in
 * milliseconds. Each `send` runs the same route pipeline as the runtime
 * (routeInvoker.ts: route lookup, origin check, schema, rules, controller)
 * on a copy of the state, keeps the decision's state, and classifies a
 * throw as the runtime does (commandErrors.ts): a refusal is an ok:false
 * answer, anything else is thrown to the test.
 *
 * What it does not do: the runtime's guarantees (commit, outbox, retries,
 * ordering across workers); those keep their real-server tests.
 *
 *   const room = testEntity(roomActor, 'room-1', { deps: { memberships: inMemoryIndex } });
 *   const created = await room.send('create', { title: 'Ops' }, { user: 'ann' });
 */
import type { ErrorBody } from '../../protocol/index.js';
import { createLogger } from '../../platform/index.js';
import type { ActorDefinition, CommandContext, CommandOrigin, Decision } from './actorDefinition.js';
import { classifyError } from './commandErrors.js';
import { findRoute, invokeRoute } from './routeInvoker.js';

/** Who sends a command in a test. */
export interface TestSender {
  /** @default 'tester' */
  user?: string;
  /** @default 'client' */
  origin?: CommandOrigin;
  /** Epoch ms the attempt starts at (ctx.now). @default Date.now() */
  now?: number;
}

/** What one command did: the decision (ok) or the refusal (not ok). */
export type TestAnswer<S> = { ok: true; result: unknown; decision: Decision<S> } | { ok: false; error: ErrorBody };

export interface TestEntityOptions<S, D> {
  /** ctx.deps: in-memory stand-ins of what the feature's `dependencies` factory builds. */
  deps: D;
  /** @default the repository's initial state */
  state?: S;
}

export interface TestEntity<S> {
  /** The state after the commands sent so far. */
  readonly state: S;
  send(name: string, data?: unknown, sender?: TestSender): Promise<TestAnswer<S>>;
}

export function testEntity<S, D>(actor: ActorDefinition<S, D>, entity: string, options: TestEntityOptions<S, D>): TestEntity<S> {
  let state = options.state ?? actor.repository.initialState(entity);
  let sent = 0;
  const log = createLogger({ name: `test-${actor.name}`, level: 'silent' });
  return {
    get state() { return state; },
    async send(name, data, sender = {}) {
      const user = sender.user ?? 'tester';
      const origin = sender.origin ?? 'client';
      const commandId = `test-${++sent}`;
      const ctx: CommandContext<D> = {
        actor: actor.name, entity, user, session: origin === 'client' ? 'test-session' : '', commandId, name, key: `${user}:${commandId}`,
        origin, attempt: 1, now: sender.now ?? Date.now(), signal: new AbortController().signal, log, deps: options.deps,
        progress: () => {}, heartbeat: () => {},
      };
      try {
        const decision = await invokeRoute(actor, findRoute(actor, name), structuredClone(state), data, ctx);
        if (decision.state !== undefined) state = decision.state;
        return { ok: true, result: decision.result, decision };
      } catch (err) {
        const classified = classifyError(err);
        if (classified.kind === 'business') return { ok: false, error: classified.error };
        throw err;
      }
    },
  };
}
