/**
 * The feature-author API: what a feature folder writes to become an actor
 * type. A feature reads Router → Validator → Controller → Service →
 * Repository:
 *
 *   repository.ts  `entityRepository({ collection, initialState })` — where the entity lives
 *   validator.ts   `commandValidator(schema, rules?)` — TypeBox schema (compiled once) + business rules
 *   service.ts     pure domain functions, no I/O
 *   controller.ts  `Controller`s: state + data + context → Decision (calls the service, does I/O
 *                  through ctx.deps — repositories of side collections, integrations)
 *   router.ts      `defineRouter({ name: route(validator, controller, options?) })`
 *   index.ts       `defineActor({ name, repository, router, ... })`, registered in actors/registry.ts
 *
 * The runtime gives every route the guarantees of ARCHITECTURE.md 7–13: one
 * handler at a time per entity in command order, effects exactly once
 * (state, result, events and timers committed in one write), results never
 * lost, retries with backoff, dead letters, heartbeats, cancel, timeouts.
 */
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { ErrorBody } from '../../protocol/index.js';
import type { Config, Db, Logger, NatsConnection } from '../../platform/index.js';
import { BusinessError } from './commandErrors.js';

/** Where a command came from. Client commands carry a user and session; timer and cron commands do not. */
export type CommandOrigin = 'client' | 'timer' | 'cron';

/**
 * What a controller knows about the command it handles. Identity comes from
 * headers set by the gateway (or the runtime for timers and cron), never
 * from the payload.
 */
export interface CommandContext<D = unknown> {
  readonly actor: string;
  readonly entity: string;
  /** The authenticated user who sent the command; '' for timer and cron commands. */
  readonly user: string;
  /** The sender's session; '' for timer and cron commands (their results go nowhere). */
  readonly session: string;
  /** The client's command id (or the timer/cron id). */
  readonly commandId: string;
  /** The command name (the route). */
  readonly name: string;
  /**
   * The command's de-duplication key (its Nats-Msg-Id): the same on every
   * delivery and retry. Build idempotency keys for outside calls from it
   * (e.g. Stripe: `${ctx.actor}:${ctx.entity}:${ctx.key}`).
   */
  readonly key: string;
  readonly origin: CommandOrigin;
  /** 1 on the first attempt; retries of a transient failure count up. */
  readonly attempt: number;
  /** Epoch ms when this attempt started. Use it instead of Date.now() to keep services pure. */
  readonly now: number;
  /** Aborted on cancel (`cancel` command), timeout, or loss of the partition. Pass it to I/O. */
  readonly signal: AbortSignal;
  /** A logger carrying the command's trace id, actor, entity and command id. */
  readonly log: Logger;
  /** What the actor's `dependencies` factory built (repositories, integrations). */
  readonly deps: D;
  /** Pushes `{type:'progress', id, data}` to the sender's session now (not part of the commit). */
  progress(data: unknown): void;
  /** Tells JetStream the command is still being worked on (the runtime also does this on its own). */
  heartbeat(): void;
}

/** A push to everyone subscribed to a topic (`out.t.<topic>`), committed with the state. */
export interface TopicEvent {
  topic: string;
  name: string;
  data?: unknown;
}

/** A domain event on `evt.<actor>.<name>` for other NATS subscribers, committed with the state. */
export interface DomainEvent {
  name: string;
  data?: unknown;
}

/**
 * A durable timer the entity sets for itself: at `at` (epoch ms) or after
 * `afterMs`, the runtime sends command `name` with `data` to this entity
 * (origin 'timer'). Setting a timer with a key that is already set moves it.
 */
export interface TimerRequest {
  /** Unique per entity; setting the same key again replaces the timer. */
  key: string;
  /** The command to send; its route must allow origin 'timer'. */
  name: string;
  at?: number;
  afterMs?: number;
  data?: unknown;
}

/**
 * What a controller decides. Everything in it is committed in one atomic
 * write and published afterwards (outbox), so it happens exactly once.
 * Throw a BusinessError for a refusal (ok:false result, no retry) and a
 * TransientError (or any uncoded error) for a failure worth retrying.
 */
export interface Decision<S> {
  /** The next state; omitted = unchanged. */
  state?: S;
  /** `data` of the ok:true result sent to the command's session. */
  result?: unknown;
  events?: TopicEvent[];
  domainEvents?: DomainEvent[];
  setTimers?: TimerRequest[];
  /** Keys of timers to cancel. */
  cancelTimers?: string[];
}

export type Controller<S, T, D = unknown> = (state: S, data: T, ctx: CommandContext<D>) => Decision<S> | Promise<Decision<S>>;

/** Business rules run after the schema check, before the controller: throw a BusinessError to refuse. */
export type CommandRules<S, T> = (data: T, state: S, ctx: CommandContext<any>) => void;

/** A command's validator: its data schema (compiled once) and its business rules. */
export interface CommandValidator<S, T> {
  readonly schema: TSchema;
  /** Returns the data typed, or throws BusinessError('VALIDATION') naming the first problem. */
  parse(data: unknown): T;
  readonly rules: CommandRules<S, T> | undefined;
}

/** Builds a validator: the schema is compiled here, once. */
export function commandValidator<Sch extends TSchema, S = unknown>(schema: Sch, rules?: CommandRules<S, Static<Sch>>): CommandValidator<S, Static<Sch>> {
  const compiled = Compile(schema);
  return {
    schema,
    rules,
    parse(data: unknown): Static<Sch> {
      if (compiled.Check(data)) return data as Static<Sch>;
      const first = compiled.Errors(data)[0];
      const where = first?.instancePath ? ` at ${first.instancePath}` : '';
      throw new BusinessError('VALIDATION', `Invalid data${where}: ${first?.message ?? 'does not match the schema'}.`,
        first?.instancePath ? { details: { path: first.instancePath } } : undefined);
    },
  };
}

/** Per-route settings; unset ones come from the actor's options, then the worker configuration. */
export interface RouteOptions {
  /** Who may send this command. @default ['client'] */
  origins?: CommandOrigin[];
  /** Abort the handler (ctx.signal) and count a transient failure after this long. @default actor timeoutMs */
  timeoutMs?: number;
  /** Attempts before the command is dead-lettered. @default actor maxAttempts */
  maxAttempts?: number;
}

export interface Route<S, D> {
  readonly validator: CommandValidator<S, any>;
  readonly controller: Controller<S, any, D>;
  readonly options: RouteOptions;
}

/** One router entry: validator → controller. */
export function route<S, T, D = unknown>(validator: CommandValidator<S, T>, controller: Controller<S, T, D>, options: RouteOptions = {}): Route<S, D> {
  return { validator, controller, options };
}

/** Command name → route. `cancel` is reserved by the runtime (see actors/README.md). */
export type Router<S, D = unknown> = Readonly<Record<string, Route<S, D>>>;

export const RESERVED_COMMANDS = ['cancel'] as const;

export function defineRouter<S, D = unknown>(routes: Record<string, Route<S, D>>): Router<S, D> {
  for (const name of RESERVED_COMMANDS) {
    if (Object.hasOwn(routes, name)) throw new Error(`command name "${name}" is reserved by the actor runtime`);
  }
  return Object.freeze({ ...routes });
}

/** Where an actor type's entities live (one MongoDB collection, one document per entity). */
export interface EntityRepository<S> {
  /** @default `entities_<actor name>` */
  readonly collection?: string;
  initialState(entity: string): S;
}

export function entityRepository<S>(repository: EntityRepository<S>): EntityRepository<S> {
  return repository;
}

/** What a `dependencies` factory gets to build a feature's repositories and integrations. */
export interface ActorPlatform {
  db: Db;
  nc: NatsConnection;
  config: Config;
  logger: Logger;
}

/**
 * A cron job: every `everyMs` (aligned to multiples of it since the epoch)
 * the runtime sends command `command` with data `{ job, tick }` to `entity`
 * (origin 'cron'), exactly once per tick across all workers.
 */
export interface CronJob {
  /** Unique within the actor type. */
  name: string;
  everyMs: number;
  entity: string;
  command: string;
  /**
   * After an outage longer than one period: 'fire-latest' sends one tick for
   * the latest missed time, 'skip' sends none and waits for the next.
   * @default 'fire-latest'
   */
  missed?: 'fire-latest' | 'skip';
}

/** Settings of one actor type. Unset ones come from the worker configuration (SY_ACTOR_*). */
export interface ActorOptions {
  /** Handlers of this type running at once on one worker. @default SY_ACTOR_TYPE_CONCURRENCY */
  concurrency?: number;
  /** @default SY_ACTOR_HANDLER_TIMEOUT_MS */
  timeoutMs?: number;
  /** @default SY_ACTOR_MAX_ATTEMPTS */
  maxAttempts?: number;
}

export interface ActorDefinition<S, D = unknown> {
  /** Actor type: the `actor` field of commands and a NATS subject token (`^[a-z][a-z0-9_]*$`). */
  readonly name: string;
  readonly repository: EntityRepository<S>;
  readonly router: Router<S, D>;
  /** Builds what controllers get as ctx.deps, once per worker. */
  readonly dependencies?: (platform: ActorPlatform) => D | Promise<D>;
  readonly cron?: CronJob[];
  readonly options?: ActorOptions;
  /** Whether this worker runs the actor type (a feature flag). @default always */
  readonly enabled?: (config: Config) => boolean;
}

const ACTOR_NAME = /^[a-z][a-z0-9_]{0,31}$/;

export function defineActor<S, D = unknown>(definition: ActorDefinition<S, D>): ActorDefinition<S, D> {
  if (!ACTOR_NAME.test(definition.name)) throw new Error(`actor name "${definition.name}" must match ${ACTOR_NAME}`);
  for (const job of definition.cron ?? []) {
    const target = definition.router[job.command];
    if (!target) throw new Error(`cron job ${definition.name}/${job.name} sends unknown command ${job.command}`);
    if (!(target.options.origins ?? ['client']).includes('cron')) throw new Error(`cron job ${definition.name}/${job.name}: route ${job.command} must allow origin 'cron'`);
    if (!(job.everyMs >= 100)) throw new Error(`cron job ${definition.name}/${job.name}: everyMs must be at least 100`);
  }
  return definition;
}

/** A refusal as an error body (for results built by the runtime). */
export type { ErrorBody };
