/**
 * Decides whether a user may join a topic, never trusting the client.
 *
 * The policy depends on the topic kind (the first token of its name):
 * - `user.<id>`: only the user whose subject token is `<id>`;
 * - `public.<id>`: any authenticated user;
 * - `room.<id>`: the owning service decides: request/reply on
 *   `svc.acl.room` ({user, topic} → {allow}); allows are cached for
 *   `cacheTtlMs` and dropped early by `svc.acl.invalidate`; refusals are
 *   never cached (a user who just joined may subscribe at once, even before
 *   the invalidation of the join reaches this gateway);
 * - any other kind: refused.
 * No responder, a timeout or a malformed answer is UNAVAILABLE (retryable),
 * never FORBIDDEN and never an allow.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { AclInvalidation, SwitchyardError, subjectToken, subjects, type AclReply } from '../protocol/index.js';
import { SharedCalls, gatewayAclDecisions } from '../platform/index.js';
import type { Logger } from '../platform/index.js';
import { Compile } from 'typebox/compile';
import { ExpiringCache } from './expiringCache.js';

export interface TopicAuthorizerOptions {
  /** How long to wait for the owning service. @default 2000 */
  timeoutMs: number;
  /** How long an allow is reused (refusals are not cached). @default 30000 */
  cacheTtlMs: number;
  /** Most allows kept. @default 100000 */
  cacheMax: number;
}

type Policy = 'own-user' | 'anyone' | 'service';

const POLICIES: Record<string, Policy> = {
  user: 'own-user',
  public: 'anyone',
  room: 'service',
};

const checkInvalidation = Compile(AclInvalidation);

/** Called after an invalidation, so joined sockets can be checked again. */
export type InvalidationListener = (topic: string, user: string | undefined) => void;

export class TopicAuthorizer {
  /** (user, topic) pairs the owning service allowed recently. */
  private readonly allowed: ExpiringCache<true>;
  /** Questions to the owning service under way, shared by concurrent checks of one (user, topic). */
  private readonly questions = new SharedCalls<string, boolean>();
  private readonly listeners: InvalidationListener[] = [];
  private sub: Subscription | undefined;

  constructor(private readonly nc: NatsConnection, private readonly options: TopicAuthorizerOptions, private readonly logger: Logger) {
    this.allowed = new ExpiringCache(options.cacheTtlMs, options.cacheMax);
  }

  start(): void {
    this.sub = this.nc.subscribe(subjects.aclInvalidate, {
      callback: (err, msg) => {
        if (err) return;
        let body: unknown;
        try { body = msg.json(); } catch { return; }
        if (!checkInvalidation.Check(body)) return;
        const { topic, user } = body as AclInvalidation;
        const prefix = user === undefined ? undefined : `${user}\u0000`;
        this.allowed.deleteWhere((key) => key.endsWith(`\u0000${topic}`) && (prefix === undefined || key.startsWith(prefix)));
        for (const listener of this.listeners) listener(topic, user);
      },
    });
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  onInvalidation(listener: InvalidationListener): void {
    this.listeners.push(listener);
  }

  /** Resolves when `user` may join `topic`; rejects with FORBIDDEN or UNAVAILABLE. */
  async authorize(user: string, topic: string): Promise<void> {
    const kind = topic.split('.', 1)[0]!;
    const policy = Object.hasOwn(POLICIES, kind) ? POLICIES[kind] : undefined;
    if (policy === undefined) {
      gatewayAclDecisions.inc({ decision: 'deny', source: 'policy' });
      throw new SwitchyardError('FORBIDDEN', `Topics of kind "${kind}" cannot be joined.`, { details: { topic } });
    }
    if (policy === 'anyone') {
      gatewayAclDecisions.inc({ decision: 'allow', source: 'policy' });
      return;
    }
    if (policy === 'own-user') {
      const allowed = topic === `user.${subjectToken(user)}`;
      gatewayAclDecisions.inc({ decision: allowed ? 'allow' : 'deny', source: 'policy' });
      if (!allowed) throw new SwitchyardError('FORBIDDEN', 'A user topic can be joined only by its user.', { details: { topic } });
      return;
    }
    const key = `${user}\u0000${topic}`;
    if (this.allowed.get(key)) {
      gatewayAclDecisions.inc({ decision: 'allow', source: 'cache' });
      return;
    }
    const allow = await this.questions.run(key, () => this.ask(kind, user, topic));
    if (allow) this.allowed.set(key, true);
    gatewayAclDecisions.inc({ decision: allow ? 'allow' : 'deny', source: 'service' });
    if (!allow) throw this.forbidden(topic);
  }

  private forbidden(topic: string): SwitchyardError {
    return new SwitchyardError('FORBIDDEN', `You are not a member of ${topic}.`, { details: { topic } });
  }

  private async ask(kind: string, user: string, topic: string): Promise<boolean> {
    let reply: unknown;
    try {
      const msg = await this.nc.request(subjects.aclCheck(kind), JSON.stringify({ user, topic }), { timeout: this.options.timeoutMs });
      reply = msg.json();
    } catch (err) {
      gatewayAclDecisions.inc({ decision: 'unavailable', source: 'service' });
      this.logger.warn({ err, kind }, 'topic ACL service did not answer');
      throw new SwitchyardError('UNAVAILABLE', `The service that decides ${kind} membership did not answer; try again.`, { details: { topic }, cause: err });
    }
    const allow = (reply as Partial<AclReply> | null)?.allow;
    if (typeof allow !== 'boolean') {
      gatewayAclDecisions.inc({ decision: 'unavailable', source: 'service' });
      throw new SwitchyardError('UNAVAILABLE', `The service that decides ${kind} membership gave no usable answer; try again.`, { details: { topic } });
    }
    return allow;
  }
}
