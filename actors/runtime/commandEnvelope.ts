/**
 * A command message as the runtime sees it: the JetStream message plus
 * what its subject, headers and body say. The identity of the sender comes
 * from headers only (set by the gateway, or by the scheduler for timers and
 * cron), never from the body.
 */
import type { JsMsg } from '@nats-io/jetstream';
import {
  HEADERS, commandKey, parseCommandSubject, subjectToken, type CommandBody,
} from '../../protocol/index.js';
import type { CommandOrigin } from './actorDefinition.js';

export interface CommandEnvelope {
  readonly msg: JsMsg;
  readonly actor: string;
  readonly partition: number;
  readonly entity: string;
  readonly body: CommandBody;
  /** De-duplication key: the Nats-Msg-Id the command was published with. */
  readonly key: string;
  readonly origin: CommandOrigin;
  readonly user: string;
  readonly session: string;
  readonly acceptedAt: number | undefined;
  readonly traceparent: string | undefined;
  /** CMD stream sequence: per entity, commands are applied in this order. */
  readonly seq: number;
  /** Set when a `cancel` command arrived for this command. */
  cancelled: boolean;
  /** Aborts the running attempt (cancel). Set while an attempt runs. */
  abort: ((reason: unknown) => void) | undefined;
}

export type ParsedCommand = { ok: true; envelope: CommandEnvelope } | { ok: false; reason: string };

const ORIGINS: readonly CommandOrigin[] = ['client', 'timer', 'cron'];

export function parseCommand(msg: JsMsg): ParsedCommand {
  const route = parseCommandSubject(msg.subject);
  if (!route) return { ok: false, reason: `not a command subject: ${msg.subject}` };
  let body: CommandBody;
  try {
    body = msg.json<CommandBody>();
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (typeof body !== 'object' || body === null || typeof body.id !== 'string' || typeof body.name !== 'string') {
    return { ok: false, reason: 'body lacks id or name' };
  }
  const h = msg.headers;
  const originHeader = h?.get(HEADERS.origin) || 'client';
  const origin = (ORIGINS as readonly string[]).includes(originHeader) ? (originHeader as CommandOrigin) : undefined;
  if (!origin) return { ok: false, reason: `unknown origin ${originHeader}` };
  const user = h?.get(HEADERS.user) ?? '';
  const session = h?.get(HEADERS.session) ?? '';
  if (origin === 'client' && (!user || !session)) return { ok: false, reason: 'client command without user or session headers' };
  const acceptedAt = Number(h?.get(HEADERS.acceptedAt));
  const key = h?.get(HEADERS.msgId) || commandKey(subjectToken(user), body.id);
  return {
    ok: true,
    envelope: {
      msg, actor: route.actor, partition: route.partition, entity: route.entity, body, key, origin, user, session,
      acceptedAt: acceptedAt > 0 ? acceptedAt : undefined,
      traceparent: h?.get(HEADERS.traceparent) || undefined,
      seq: msg.seq,
      cancelled: false,
      abort: undefined,
    },
  };
}
