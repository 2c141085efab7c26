/**
 * Typed configuration from environment variables, in sections owned by
 * their modules (the way Centrifugo's config is sectioned):
 *
 * - every setting is one row of a section: its variable, a TypeBox schema
 *   (type, bounds, `default`, `description`); `defineConfigSection` declares
 *   a section beside the code that reads it — the platform's below, the
 *   gateway's (gateway/gatewayConfig.ts), the runtime's
 *   (actors/runtime/runtimeConfig.ts), integrations' and each feature's
 *   (actors/<feature>/config.ts, registered in actors/registry.ts);
 * - a section adds its keys to the `Config` type by augmenting this module
 *   (`declare module '…/platform/config.js' { interface Config extends
 *   SectionValues<typeof FIELDS> {} }`), so the whole config stays one typed
 *   object;
 * - `loadConfig(env, sections)` composes the sections a process is given
 *   (composition/index.ts lists them all), reads the environment once at
 *   start-up and validates it: an invalid value fails with a ConfigError
 *   naming the variable, a key or variable declared twice is a programming
 *   error, and `SY_*` variables no section knows are returned as warnings (a
 *   typo must not pass silently). The README's configuration table lists the
 *   same rows, grouped by section (a test keeps them in step).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import Type, { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

export interface ConfigField<S extends TSchema = TSchema> {
  /** The environment variable. */
  env: string;
  schema: S;
}

export const field = <S extends TSchema>(env: string, schema: S): ConfigField<S> => ({ env, schema });

/** Fields keyed by their name in the Config object. */
export type ConfigFields = Readonly<Record<string, ConfigField>>;

export interface ConfigSection<F extends ConfigFields = ConfigFields> {
  /** Heading of the section in the README table, e.g. "gateway". */
  title: string;
  /** The module that owns and reads these settings, e.g. "actors/crypto". */
  owner: string;
  fields: F;
}

/** The values a section's fields contribute to Config. */
export type SectionValues<F extends ConfigFields> = { readonly [K in keyof F]: Static<F[K]['schema']> };

export function defineConfigSection<F extends ConfigFields>(title: string, owner: string, fields: F): ConfigSection<F> {
  return { title, owner, fields };
}

/** The platform's own settings: process identity, logs, connections, streams, drain. */
export const PLATFORM_FIELDS = {
  nodeId: field('SY_NODE_ID', Type.String({ default: '', maxLength: 64, pattern: '^[A-Za-z0-9_-]*$', description: 'Name of this process in the cluster (NATS subjects, metrics, sessions). Empty: host-pid-random.' })),
  logLevel: field('SY_LOG_LEVEL', Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], { default: 'info', description: 'Log level.' })),
  natsUrl: field('NATS_URL', Type.String({ default: 'nats://127.0.0.1:4222', minLength: 1, description: 'NATS server(s), comma-separated. `npm start` sets it to the server it starts unless given.' })),
  redisUrl: field('REDIS_URL', Type.String({ default: 'redis://127.0.0.1:6379', minLength: 1, description: 'Redis URL; for Redis with Sentinel `redis+sentinel://[:password@]host:port[,host:port…]/<master>[/<db>]`.' })),
  mongoUri: field('MONGODB_URI', Type.String({ default: 'mongodb://127.0.0.1:27017/', minLength: 1, description: 'MongoDB connection string.' })),
  mongoDb: field('SY_MONGODB_DB', Type.String({ default: 'switchyard', minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9_-]+$', description: 'MongoDB database name.' })),
  host: field('SY_HOST', Type.String({ default: '127.0.0.1', minLength: 1, description: 'Gateway listen address.' })),
  drainGraceMs: field('SY_DRAIN_GRACE_MS', Type.Integer({ default: 10000, minimum: 0, maximum: 600000, description: 'How long SIGTERM waits for in-flight work before exiting.' })),
  partitions: field('SY_PARTITIONS', Type.Integer({ default: 64, minimum: 1, maximum: 4096, description: 'Partitions per actor type. Every process must agree.' })),
  outMaxAgeS: field('SY_OUT_MAX_AGE_S', Type.Integer({ default: 3600, minimum: 10, maximum: 2592000, description: 'Retention of pushes for recovery (OUT stream max age), seconds.' })),
  duplicateWindowS: field('SY_DUPLICATE_WINDOW_S', Type.Integer({ default: 120, minimum: 1, maximum: 86400, description: 'JetStream de-duplication window for command ids, seconds.' })),
  streamReplicas: field('SY_STREAM_REPLICAS', Type.Integer({ default: 1, minimum: 1, maximum: 5, description: 'JetStream replicas for switchyard streams (3 in a cluster).' })),
} as const;

export const PLATFORM_CONFIG = defineConfigSection('platform', 'platform', PLATFORM_FIELDS);

/**
 * The whole configuration: the platform's fields here, every other
 * section's added by module augmentation where the section is declared.
 */
export interface Config extends SectionValues<typeof PLATFORM_FIELDS> {}


export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** SY_* variables read elsewhere on purpose (tooling, tests), not unknown. */
const OTHER_KNOWN_VARIABLES = new Set([
  'SY_TOOLS_DIR', 'SY_DEV_MODE', 'SY_TEST_CONCURRENCY', 'SY_TEST_TIMEOUT_MS', 'SY_COMPILED_DIR', 'SY_COMPILED_COVERAGE_DIR', 'SY_TEST_PREBUNDLED_DIR',
]);

const validators = new Map<string, ReturnType<typeof Compile>>();
function validatorFor(schema: TSchema) {
  const key = JSON.stringify(schema);
  let v = validators.get(key);
  if (!v) validators.set(key, (v = Compile(schema)));
  return v;
}

function coerce(schema: TSchema, raw: string): unknown {
  const type = (schema as { type?: unknown }).type;
  if (type === 'integer' || type === 'number') return raw.trim() === '' ? Number.NaN : Number(raw);
  if (type === 'boolean') return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
  return raw;
}

function describe(schema: TSchema): string {
  const s = schema as Record<string, unknown>;
  if (s.type === 'boolean') return 'true or false (1 or 0)';
  if (s.type === 'integer') return `an integer from ${String(s.minimum)} to ${String(s.maximum)}`;
  if (Array.isArray(s.anyOf)) return `one of ${(s.anyOf as Array<{ const: string }>).map((x) => x.const).join(', ')}`;
  if (typeof s.pattern === 'string') return `a string matching ${s.pattern}`;
  return 'a string';
}

export interface LoadedConfig {
  config: Config;
  /** Human-readable warnings (unknown SY_* variables); log them at start-up. */
  warnings: string[];
}

/** Every field of these sections, keyed by its Config name; a key or variable declared twice throws. */
export function composeFields(sections: readonly ConfigSection[]): Record<string, ConfigField> {
  const fields: Record<string, ConfigField> = {};
  const owners = new Map<string, string>();
  for (const section of sections) {
    for (const [key, f] of Object.entries(section.fields)) {
      const clash = fields[key] !== undefined ? `key ${key}` : owners.has(f.env) ? `variable ${f.env}` : undefined;
      if (clash) throw new Error(`config ${clash} is declared by both ${owners.get(fields[key]?.env ?? f.env)} and ${section.owner}`);
      fields[key] = f;
      owners.set(f.env, section.owner);
    }
  }
  return fields;
}

/**
 * Reads and validates the configuration of these sections (a process passes
 * every section, composition/index.ts, so every variable is known). Throws
 * ConfigError naming every bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv, sections: readonly ConfigSection[]): LoadedConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const [key, { env: name, schema }] of Object.entries(composeFields(sections))) {
    known.add(name);
    const raw = env[name];
    const value = raw === undefined ? (schema as unknown as { default: unknown }).default : coerce(schema, raw);
    if (!validatorFor(schema).Check(value)) {
      const shown = (schema as { secret?: unknown }).secret === true ? '[redacted]' : JSON.stringify(raw);
      problems.push(`${name}=${shown} is invalid: expected ${describe(schema)}.`);
      continue;
    }
    out[key] = value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (out.nodeId === '') out.nodeId = `${hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 32)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const warnings = Object.keys(env)
    .filter((name) => name.startsWith('SY_') && !known.has(name) && !OTHER_KNOWN_VARIABLES.has(name))
    .map((name) => `Unknown configuration variable ${name} is ignored (check the spelling; see the README's configuration table).`);
  return { config: out as unknown as Config, warnings };
}

/** Config keys whose schema says `secret: true`: their values must never reach a log line. */
export function secretConfigKeys(sections: readonly ConfigSection[]): string[] {
  return Object.entries(composeFields(sections))
    .filter(([, { schema }]) => (schema as { secret?: unknown }).secret === true)
    .map(([key]) => key);
}

/** Rows for the README table, section by section: variable, default, meaning. */
export function configTable(sections: readonly ConfigSection[]): Array<{ section: string; owner: string; env: string; default: unknown; description: string }> {
  composeFields(sections);
  return sections.flatMap(({ title, owner, fields }) => Object.values(fields).map(({ env, schema }) => ({
    section: title,
    owner,
    env,
    default: (schema as unknown as { default: unknown }).default,
    description: String((schema as { description?: unknown }).description ?? ''),
  })));
}
