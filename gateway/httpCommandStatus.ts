/**
 * Where HTTP-sent commands and their results are found again.
 *
 * A command sent with `POST /v1/commands` has no live session, so the
 * gateway gives it a synthetic one derived from user and command id:
 * `h-<base64url(sha256(userToken:id))[0..32]>`. The actor publishes the
 * result to `out.s.<that session>` like any result, so it is stored in the
 * OUT stream under a subject that belongs to this one command, and
 * `GET /v1/commands/:id` reads it with a JetStream direct get (last message
 * by subject) — no extra store, same retention as every push.
 *
 * Until the result exists, the gateway needs to tell "accepted, running"
 * from "never seen": at accept time it writes a small marker in Redis,
 * `sy:{u:<user>}:http:<id>`, that expires with the OUT retention.
 */
import { createHash } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { STREAMS, subjectToken, subjects, type HttpCommandResult, type HttpCommandStatus, type PushBody } from '../protocol/index.js';
import type { Redis } from '../platform/index.js';

/** The synthetic session of an HTTP command: stable for retries of the same id. */
export function httpCommandSession(user: string, commandId: string): string {
  return `h-${createHash('sha256').update(`${subjectToken(user)}:${commandId}`).digest('base64url').slice(0, 32)}`;
}

function acceptedKey(user: string, commandId: string): string {
  return `sy:{u:${subjectToken(user)}}:http:${commandId}`;
}

export class HttpCommandStatusStore {
  private constructor(private readonly jsm: JetStreamManager, private readonly redis: Redis, private readonly retentionS: number) {}

  static async create(nc: NatsConnection, redis: Redis, retentionS: number): Promise<HttpCommandStatusStore> {
    return new HttpCommandStatusStore(await jetstreamManager(nc), redis, retentionS);
  }

  async markAccepted(user: string, commandId: string): Promise<void> {
    await this.redis.set(acceptedKey(user, commandId), '1', 'EX', this.retentionS);
  }

  /** The command's status, or undefined when this gateway cluster never accepted it over HTTP (or forgot it). */
  async status(user: string, commandId: string): Promise<HttpCommandStatus | undefined> {
    const stored = await this.jsm.direct.getMessage(STREAMS.pushes, { last_by_subj: subjects.sessionPush(httpCommandSession(user, commandId)) });
    if (stored) {
      const body = stored.json<PushBody>();
      if (body.type === 'result') {
        const result: HttpCommandResult = body.ok
          ? (body.data === undefined ? { seq: stored.seq, ok: true } : { seq: stored.seq, ok: true, data: body.data })
          : { seq: stored.seq, ok: false, error: body.error };
        return { id: commandId, status: 'done', result };
      }
    }
    const accepted = await this.redis.exists(acceptedKey(user, commandId));
    return accepted === 1 ? { id: commandId, status: 'accepted' } : undefined;
  }
}
