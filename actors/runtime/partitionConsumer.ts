/**
 * One owned partition of one actor type: a durable JetStream pull consumer
 * filtered to `cmd.<actor>.<partition>.>` on the CMD work-queue stream, and
 * the entity mailboxes it feeds.
 *
 * Taking a partition over starts a fresh epoch: the consumer is deleted and
 * created again. Messages a dead or paused previous owner held are then
 * delivered again at once and in stream order (instead of one by one after
 * their ack wait, behind newer ones), so per-entity order survives the
 * takeover; the old owner's pull ends with "consumer deleted" and it stops.
 *
 * Every held message (running or waiting in a mailbox) gets an in-progress
 * ack every third of the ack wait, so JetStream never redelivers a command
 * this worker is still holding, however long the work before it takes.
 *
 * `cancel` commands (data: {id}) bypass the mailbox: they reach the held
 * command with that id of the same user and entity, abort its running
 * attempt (ctx.signal) or mark it cancelled before it starts.
 */
import { AckPolicy, DeliverPolicy, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/transport-node';
import { STREAMS, commandKey, subjectToken, subjects, type PushBody } from '../../protocol/index.js';
import type { Logger } from '../../platform/index.js';
import { parseCommand, type CommandEnvelope } from './commandEnvelope.js';
import { PartitionLostError } from './commandErrors.js';
import { pushHeaders } from './commandOutcome.js';
import type { CommandProcessor, PartitionOwnership } from './commandProcessor.js';
import type { EntityCache } from './entityCache.js';
import { EntityMailbox } from './entityMailbox.js';
import type { HeldLease } from './fencedLeases.js';
import type { ActorSettings } from './actorSettings.js';
import { retryDelayMs, sleep } from './retryBackoff.js';

/** How long an entity must stay idle before its published outbox entries are cleared (a busy entity's next commit does it for free). */
const SETTLE_DELAY_MS = 250;
const PULL_EXPIRES_MS = 5000;

export function partitionConsumerName(actor: string, partition: number): string {
  return `part_${actor}_${partition}`;
}

export interface PartitionConsumerDeps {
  actor: string;
  nc: NatsConnection;
  js: JetStreamClient;
  settings: ActorSettings;
  processor: CommandProcessor<any, any>;
  cache: EntityCache;
  logger: Logger;
  /** Called once when the partition is lost (renewal refused, consumer deleted, commit fenced). */
  onLost: (consumer: PartitionConsumer, reason: string) => void;
  /** Renews this partition's lease now; false when it is lost. */
  renew: (consumer: PartitionConsumer) => Promise<boolean>;
}

export class PartitionConsumer implements PartitionOwnership {
  private readonly mailboxes = new Map<string, EntityMailbox>();
  private readonly loss = new AbortController();
  private messages: ConsumerMessages | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private accepting = false;
  private readonly confirmations = new Set<Promise<void>>();
  /** Entities whose mailbox emptied: their published outbox entries are dropped from the document shortly after. */
  private readonly settleTimers = new Map<string, NodeJS.Timeout>();
  private readonly log: Logger;

  constructor(private readonly d: PartitionConsumerDeps, readonly partition: number, readonly lease: HeldLease) {
    this.log = d.logger.child({ actor: d.actor, partition });
  }

  get lost(): AbortSignal {
    return this.loss.signal;
  }

  /** Commands held now (running or waiting). */
  get heldCount(): number {
    let n = 0;
    for (const m of this.mailboxes.values()) n += m.held().length;
    return n;
  }

  /** New epoch: recreate the consumer, then deliver. */
  async start(): Promise<void> {
    const { actor, settings } = this.d;
    this.d.cache.dropPartition(this.partition);
    const jsm = await jetstreamManager(this.d.nc);
    const name = partitionConsumerName(actor, this.partition);
    await jsm.consumers.delete(STREAMS.commands, name).catch((err: unknown) => {
      if (!/consumer not found/i.test(String(err)) && (err as { code?: unknown }).code !== 404) throw err;
    });
    await jsm.consumers.add(STREAMS.commands, {
      durable_name: name,
      filter_subject: subjects.commandPartition(actor, this.partition),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(settings.ackWaitMs),
      max_deliver: -1,
      max_ack_pending: settings.maxAckPending,
    });
    const consumer = await this.d.js.consumers.get(STREAMS.commands, name);
    this.accepting = true;
    this.messages = await consumer.consume({
      max_messages: Math.min(128, settings.maxAckPending),
      // Pulls expire (and heartbeats are checked) every few seconds rather than nats.js's 30 s:
      // after a JetStream consumer leader moves, a pull the old leader held is re-issued sooner.
      expires: PULL_EXPIRES_MS,
      abort_on_missing_resource: true,
      callback: (msg) => this.dispatch(msg),
    });
    void this.watch(this.messages);
    const every = Math.max(250, Math.floor(settings.ackWaitMs / 3));
    this.keepAlive = setInterval(() => {
      for (const m of this.mailboxes.values()) for (const env of m.held()) env.msg.working();
    }, every);
    this.keepAlive.unref();
  }

  /**
   * Graceful hand-off: stop receiving, let each entity's running command
   * finish (committed, published, acked — acks confirmed by the server), and
   * leave the waiting ones unacked: the next owner's fresh consumer delivers
   * them at once, in order, and they run exactly once, there. Nothing is
   * processed twice, and the hand-off takes as long as the longest running
   * command, not as long as the backlog.
   */
  async drain(): Promise<void> {
    this.accepting = false;
    await this.messages?.close().catch(() => {});
    for (const m of this.mailboxes.values()) m.clear();
    while (this.mailboxes.size > 0) await Promise.all([...this.mailboxes.values()].map((m) => m.idle()));
    clearInterval(this.keepAlive);
    for (const timer of this.settleTimers.values()) clearTimeout(timer);
    this.settleTimers.clear();
    await Promise.all(this.d.cache.entitiesOf(this.partition).map((entity) => this.d.processor.settle(entity)
      .catch((err: unknown) => this.log.warn({ err, entity }, 'outbox clear failed; the next owner publishes the entries again (de-duplicated)'))));
    await Promise.all([...this.confirmations]);
    await this.d.nc.flush().catch(() => {});
    this.d.cache.dropPartition(this.partition);
  }

  /** Lost: abort running attempts, drop waiting commands unacked (the next owner gets them), forget cached state. */
  lose(reason: string): void {
    if (this.loss.signal.aborted) return;
    this.accepting = false;
    this.loss.abort(new PartitionLostError(reason));
    for (const m of this.mailboxes.values()) m.clear();
    clearInterval(this.keepAlive);
    for (const timer of this.settleTimers.values()) clearTimeout(timer);
    this.settleTimers.clear();
    void this.messages?.close().catch(() => {});
    this.d.cache.dropPartition(this.partition);
  }

  /**
   * Acks a finished command. While draining for a hand-off the ack is
   * confirmed by the server (double ack), and the hand-off waits for the
   * confirmations: the next owner recreates the consumer, and an ack the
   * server had not processed by then would turn into a redelivery.
   */
  ack(env: CommandEnvelope): void {
    if (this.accepting) {
      env.msg.ack();
      return;
    }
    const confirmed = env.msg.ackAck().then(() => {}, (err: unknown) => this.log.warn({ err, seq: env.seq }, 'ack not confirmed'));
    this.confirmations.add(confirmed);
    void confirmed.finally(() => this.confirmations.delete(confirmed));
  }

  /**
   * Before a commit: the lease must stay valid for at least half its TTL
   * (renewed now if it would not), so the write is done long before another
   * worker could take the partition over — even when this process was
   * starved of CPU and its renewals ran late.
   */
  async ensureLease(): Promise<void> {
    const left = this.lease.validUntil - Date.now();
    if (left < this.d.settings.leaseTtlMs / 2 && !(await this.d.renew(this))) {
      throw new PartitionLostError(`lease of partition ${this.partition} lost before a commit`);
    }
    if (this.loss.signal.aborted || this.lease.validUntil - Date.now() <= 0) throw new PartitionLostError(`lease of partition ${this.partition} expired before a commit`);
  }

  /** A commit saw a newer fencing token. */
  fenced(): void {
    this.d.onLost(this, 'a newer owner (fencing token) wrote an entity of this partition');
  }

  private async watch(messages: ConsumerMessages): Promise<void> {
    const closed = await messages.closed().catch((err: unknown) => err);
    if (this.accepting && !this.loss.signal.aborted) {
      this.d.onLost(this, `consumer closed: ${closed instanceof Error ? closed.message : 'deleted or unavailable'}`);
    }
  }

  private dispatch(msg: JsMsg): void {
    if (!this.accepting) return; // left unacked: delivered to the next owner
    const parsed = parseCommand(msg);
    if (!parsed.ok) {
      this.log.error({ subject: msg.subject, seq: msg.seq, reason: parsed.reason }, 'malformed command terminated');
      msg.term(parsed.reason);
      return;
    }
    const env = parsed.envelope;
    if (env.body.name === 'cancel') {
      void this.cancel(env);
      return;
    }
    this.mailboxFor(env.entity).enqueue({ env });
  }

  private mailboxFor(entity: string): EntityMailbox {
    let mailbox = this.mailboxes.get(entity);
    if (!mailbox) {
      clearTimeout(this.settleTimers.get(entity));
      this.settleTimers.delete(entity);
      const created = new EntityMailbox((e) => this.run(e), () => {
        if (this.mailboxes.get(entity) !== created) return;
        this.mailboxes.delete(entity);
        if (this.accepting) this.settleSoon(entity);
      });
      mailbox = created;
      this.mailboxes.set(entity, mailbox);
    }
    return mailbox;
  }

  private settleSoon(entity: string): void {
    clearTimeout(this.settleTimers.get(entity));
    const timer = setTimeout(() => {
      this.settleTimers.delete(entity);
      if (this.mailboxes.has(entity) || !this.accepting || !this.d.processor.needsSettle(entity)) return;
      // Through the mailbox, like every write of the entity's document.
      const mailbox = this.mailboxFor(entity);
      this.settleTimers.delete(entity);
      mailbox.enqueue({
        task: () => this.d.processor.settle(entity).catch((err: unknown) => this.log.warn({ err, entity }, 'outbox clear failed; the next commit replaces the entries')),
      });
    }, SETTLE_DELAY_MS);
    timer.unref();
    this.settleTimers.set(entity, timer);
  }

  /**
   * Runs one command; infrastructure failures (store, NATS) are retried in
   * place until it is acked or the partition is lost. They are usually brief
   * (a lock conflict, a reconnect), so retries start fast: 20 ms doubling to 2 s.
   */
  private async run(env: CommandEnvelope): Promise<void> {
    for (let failure = 1; ; failure++) {
      if (this.loss.signal.aborted) return;
      try {
        await this.d.processor.process(env, this);
        return;
      } catch (err) {
        if (err instanceof PartitionLostError || this.loss.signal.aborted) return;
        const delay = retryDelayMs(failure, 20, 2000);
        if (failure >= 3) this.log.warn({ err, entity: env.entity, command: env.body.id, failure, retryInMs: delay }, 'processing failed (store or NATS); retrying');
        await sleep(delay, this.loss.signal).catch(() => {});
      }
    }
  }

  private async cancel(env: CommandEnvelope): Promise<void> {
    const targetId = (env.body.data as { id?: unknown } | undefined)?.id;
    let cancelled = false;
    let result: PushBody;
    if (typeof targetId !== 'string' || env.origin !== 'client') {
      result = { type: 'result', id: env.body.id, ok: false, error: { code: 'VALIDATION', message: 'cancel needs data.id, the id of a command you sent to this entity.' } };
    } else {
      const target = this.mailboxes.get(env.entity)?.find(commandKey(subjectToken(env.user), targetId));
      if (target && !target.cancelled) {
        target.cancelled = true;
        target.abort?.(new Error('cancelled'));
        cancelled = true;
      }
      result = { type: 'result', id: env.body.id, ok: true, data: { cancelled } };
    }
    try {
      if (env.session) {
        const h = natsHeaders();
        for (const [k, v] of Object.entries(pushHeaders(env))) h.set(k, v);
        await this.d.js.publish(subjects.sessionPush(env.session), JSON.stringify(result), { msgID: `result:${env.key}`, headers: h });
      }
      this.ack(env);
      this.log.info({ entity: env.entity, target: targetId, cancelled }, 'cancel handled');
    } catch (err) {
      this.log.warn({ err }, 'cancel result publish failed; the cancel will be redelivered');
      env.msg.nak(1000);
    }
  }
}
