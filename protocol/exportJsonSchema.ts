/**
 * Exports the protocol's TypeBox schemas as JSON Schema (draft 2020-12) to
 * protocol/schema/, the form outside clients validate against.
 *
 * `npm run schema` writes the files; `npm run schema -- --check` exits 1
 * when a checked-in file differs from what the schemas say (the test suite
 * runs the same comparison, so the files cannot drift).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TSchema } from 'typebox';
import { CLIENT_FRAMES, SERVER_FRAMES } from './frames.js';
import { HTTP_BODIES } from './http.js';
import { SERVICE_MESSAGES } from './services.js';
import { AiAnswerCompleted, AiChatProgress, AiChatResult, AiCommands, AiHistoryResult } from './ai.js';
import { ERROR_CODES } from './errors.js';
import { InboxCommands, RoomCommands } from './messaging/commands.js';
import { MESSAGING_DOMAIN_EVENTS, MESSAGING_EPHEMERAL_EVENTS, messagingDomainEvent } from './messaging/events.js';
import { HistoryPage, InboxPage, Message, RoomView } from './messaging/views.js';
import { PAYMENTS_SCHEMAS } from './payments/schemas.js';
import { CRYPTO_SCHEMAS } from './crypto/schemas.js';

export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'schema');

const BASE = 'https://switchyard.dev/protocol/schema';

function capitalised(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** One document holding each schema under `$defs`, and `oneOf` over them when they are alternatives. */
function bundle(file: string, title: string, description: string, defs: Record<string, TSchema>, alternatives: boolean): object {
  const $defs = Object.fromEntries(Object.entries(defs).map(([name, schema]) => [name, JSON.parse(JSON.stringify(schema)) as object]));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${BASE}/${file}`,
    title,
    description,
    ...(alternatives ? { oneOf: Object.keys(defs).map((name) => ({ $ref: `#/$defs/${name}` })) } : {}),
    $defs,
  };
}

/** Named definitions of the messaging contract: `room.<command>`, `inbox.<command>`, views, `event.<name>` data, `evt.<name>` bodies. */
function messagingDefs(): Record<string, TSchema> {
  const prefixed = (prefix: string, schemas: Record<string, TSchema>) => Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [`${prefix}${name}`, schema]));
  const domainEventNames = Object.keys(MESSAGING_DOMAIN_EVENTS) as Array<keyof typeof MESSAGING_DOMAIN_EVENTS>;
  return {
    ...prefixed('room.', RoomCommands),
    ...prefixed('inbox.', InboxCommands),
    Message, RoomView, HistoryPage, InboxPage,
    ...prefixed('event.', { ...MESSAGING_DOMAIN_EVENTS, ...MESSAGING_EPHEMERAL_EVENTS }),
    ...Object.fromEntries(domainEventNames.map((name) => [`evt.messaging.${name}`, messagingDomainEvent(name)])),
  };
}

/** File name → file text, exactly as checked in. */
export function protocolJsonSchemas(): Record<string, string> {
  const named = (frames: Record<string, TSchema>, suffix: string) =>
    Object.fromEntries(Object.entries(frames).map(([type, schema]) => [`${capitalised(type)}${suffix}`, schema]));
  const documents: Record<string, object> = {
    'client-frames.json': bundle('client-frames.json', 'Client → gateway frames', 'Every WebSocket text frame a client may send; `type` selects the schema.', named(CLIENT_FRAMES, 'Frame'), true),
    'server-frames.json': bundle('server-frames.json', 'Gateway → client frames', 'Every WebSocket text frame the gateway sends; `type` selects the schema.', named(SERVER_FRAMES, 'Frame'), true),
    'http.json': bundle('http.json', 'HTTP API bodies', 'Request and response bodies of POST /v1/commands and GET /v1/commands/:id.', HTTP_BODIES, false),
    'ai.json': bundle('ai.json', 'AI actor', 'Command data, progress and results of the `ai` actor, and its evt.ai.* domain events (actors/ai/README.md).',
      { ...named(AiCommands, 'Command'), AiChatProgress, AiChatResult, AiHistoryResult, AiAnswerCompleted }, false),
    'services.json': bundle('services.json', 'Service messages over NATS', 'Topic ACL request/reply and invalidation, gateway control.', SERVICE_MESSAGES, false),
    'messaging.json': bundle('messaging.json', 'Messaging feature', 'Command data of the `messaging` (room) and `messaging_inbox` actors, their results, the `data` of room topic events, and whole `evt.messaging.<name>` domain event bodies (protocol/messaging.md).', messagingDefs(), false),
    'payments.json': bundle('payments.json', 'Payments actor', 'Command data, results, pushes and domain events of actor `payments`, and the Stripe event command the webhook endpoint sends it.', PAYMENTS_SCHEMAS, false),
    'crypto.json': bundle('crypto.json', 'Crypto actor', 'Command data, results, pushes and domain events of actor `crypto` (on-chain payments), and the chain watcher\'s transfer observation (protocol/crypto.md).', CRYPTO_SCHEMAS, false),
    'errors.json': {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `${BASE}/errors.json`,
      title: 'Error codes',
      description: 'Every error code with its WebSocket close code, HTTP status and whether sending the same command again may succeed.',
      'x-error-codes': ERROR_CODES,
      type: 'string',
      enum: Object.keys(ERROR_CODES),
    },
  };
  return Object.fromEntries(Object.entries(documents).map(([file, doc]) => [file, `${JSON.stringify(doc, null, 2)}\n`]));
}

/** Files whose checked-in text differs from the schemas (missing files included). */
export function driftedSchemaFiles(dir = SCHEMA_DIR): string[] {
  return Object.entries(protocolJsonSchemas()).filter(([file, text]) => {
    try {
      return readFileSync(join(dir, file), 'utf8') !== text;
    } catch {
      return true;
    }
  }).map(([file]) => file);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--check')) {
    const drifted = driftedSchemaFiles();
    if (drifted.length > 0) {
      process.stderr.write(`protocol/schema is out of date (${drifted.join(', ')}): run npm run schema\n`);
      process.exit(1);
    }
    process.stdout.write('protocol/schema is up to date\n');
  } else {
    mkdirSync(SCHEMA_DIR, { recursive: true });
    for (const [file, text] of Object.entries(protocolJsonSchemas())) writeFileSync(join(SCHEMA_DIR, file), text);
    process.stdout.write(`wrote ${Object.keys(protocolJsonSchemas()).length} files to protocol/schema/\n`);
  }
}
