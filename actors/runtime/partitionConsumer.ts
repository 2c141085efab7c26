/**
 * One owned partition of one actor type: a durable JetStream pull consumer
 * filtered to `cmd.<actor>.<partition>.>` on the CMD work-queue stream, and
 * the entity mailboxes it feeds. The partition loop owns the cycle: pull →
 * group by entity (mailboxes) → run a take per entity (entityTake.ts: run,
 * commit, publish) → ack the take, or leave it unacked and run it again.
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
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { STREAMS, commandKey, subjectToken, subjects, type PushBody } from '../../protocol/index.js';
import type { Logger } from '../../platform/index.js';
import { parseCommand, type CommandEnvelope } from './commandEnvelope.js';
import { PartitionLostError } from './commandErrors.js';
import { resultEntry } from './commandOutcome.js';
import type { EntityCache } from './entityCache.js';
import { EntityMailbox } from './entityMailbox.js';
import type { EntityTakes, TakeOwnership } from './entityTake.js';
import { ensureLeaseForCommit, type HeldLease } from './fencedLeases.js';
import type { ActorSettings } from './actorSettings.js';
import type { Outbox } from './outbox.js';
import { retryDelayMs, sleep } from './retryBackoff.js';

const PULL_EXPIRES_MS = 5000;
/** A take refused as stale (the entity moved on) is run again at once this many times before it backs off like a failure. */
const STALE_RETRIES = 3;

export function partitionConsumerName(actor: string, partition: number): string {
  return `part_${actor}_${partition}`;
}

export interface PartitionConsumerDeps {
  actor: string;
  nc: NatsConnection;
  js: JetStreamClient;
  settings: ActorSettings;
  takes: EntityTakes<any>;
  outbox: Outbox;
  cache: EntityCache;
  logger: Logger;
  /** Called once when the partition is lost (renewal refused, consumer deleted, commit fenced). */
  onLost: (consumer: PartitionConsumer, reason: string) => void;
  /** Renews this partition's lease now; false when it is lost. */
  renew: (consumer: PartitionConsumer) => Promise<boolean>;
  /** See WorkerLiveness.reconfirmAfter; absent without failure detection. */
  reconfirmAfter?: () => number;
}

export class PartitionConsumer implements TakeOwnership {
  private readonly mailboxes = new Map<string, EntityMailbox>();
  private readonly loss = new AbortController();
  private messages: ConsumerMessages | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private accepting = false;
  /** Consumer sequence of the last delivery received in this epoch (see inSequence). */
  private lastDelivery = 0;
  private readonly confirmations = new Set<Promise<void>>();
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
    // Two JetStream API requests per takeover (delete, add), no more: a worker that takes over the
    // partitions of a dead one recreates all of them at once (no account-info check, no consumer info).
    const jsm = await jetstreamManager(this.d.nc, { checkAPI: false });
    const name = partitionConsumerName(actor, this.partition);
    await jsm.consumers.delete(STREAMS.commands, name).catch((err: unknown) => {
      if (!/consumer not found/i.test(String(err)) && (err as { code?: unknown }).code !== 404) throw err;
    });
    const info = await jsm.consumers.add(STREAMS.commands, {
      durable_name: name,
      filter_subject: subjects.commandPartition(actor, this.partition),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(settings.ackWaitMs),
      max_deliver: -1,
      max_ack_pending: settings.maxAckPending,
    });
    const consumer = this.d.js.consumers.getConsumerFromInfo(info);
    this.lastDelivery = info.delivered.consumer_seq;
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

  /** See ensureLeaseForCommit. */
  ensureLease(): Promise<void> {
    return ensureLeaseForCommit(this.lease, this.d.settings.leaseTtlMs, () => this.d.renew(this), this.loss.signal, this.d.reconfirmAfter);
  }

  private async watch(messages: ConsumerMessages): Promise<void> {
    const closed = await messages.closed().catch((err: unknown) => err);
    if (this.accepting && !this.loss.signal.aborted) {
      this.d.onLost(this, `consumer closed: ${closed instanceof Error ? closed.message : 'deleted or unavailable'}`);
    }
  }

  private dispatch(msg: JsMsg): void {
    if (!this.accepting) return; // left unacked: delivered to the next owner
    if (!this.inSequence(msg)) return; // left unacked: the next epoch delivers it in stream order
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
    this.mailboxFor(env.entity).enqueue(env);
  }

  /**
   * A consumer numbers its deliveries without holes: each one, redeliveries
   * too, takes the next consumer sequence. A hole means deliveries were lost
   * on their way (a JetStream server died with them in its buffers). The
   * server counts them delivered and sends them again only after the ack
   * wait — behind later commands of their entities, which would pass them
   * (and the stream-sequence rule of commandProcessor.ts would then take
   * them for old duplicates: accepted, never applied, no result). So the
   * epoch ends before the message after the hole is enqueued: the partition
   * is lost, and the next epoch's new consumer delivers every unacked
   * command again, in stream order. A lower sequence than expected (a new
   * consumer leader with older state redelivering) is no hole.
   */
  private inSequence(msg: JsMsg): boolean {
    const expected = this.lastDelivery + 1;
    const got = msg.info.deliverySequence;
    this.lastDelivery = got;
    if (got <= expected) return true;
    this.d.onLost(this, `deliveries ${expected}–${got - 1} of the consumer were lost on their way; starting again in stream order`);
    return false;
  }

  private mailboxFor(entity: string): EntityMailbox {
    let mailbox = this.mailboxes.get(entity);
    if (!mailbox) {
      const created = new EntityMailbox((take) => this.runTake(take), () => {
        if (this.mailboxes.get(entity) === created) this.mailboxes.delete(entity);
      });
      mailbox = created;
      this.mailboxes.set(entity, mailbox);
    }
    return mailbox;
  }

  /**
   * Runs one take until it is acked or the partition is lost. A take that is
   * not 'done' left nothing acked and its entity out of the cache, so running
   * it again is safe. Infrastructure failures (store, NATS) are usually
   * brief (a lock conflict, a reconnect), so retries start fast: 20 ms
   * doubling to 2 s, the messages kept alive meanwhile.
   */
  private async runTake(take: CommandEnvelope[]): Promise<void> {
    const first = take[0]!;
    for (let failure = 0, stale = 0; ;) {
      if (this.loss.signal.aborted) return;
      let err: unknown;
      try {
        const outcome = await this.d.takes.run(take, this);
        if (outcome.kind === 'done') {
          for (const env of take) this.ack(env);
          return;
        }
        if (outcome.kind === 'fenced') {
          this.log.warn({ entity: first.entity, token: this.lease.token, fence: outcome.fence }, 'commit refused: a newer owner holds this partition (stale fencing token); giving it up');
          this.d.onLost(this, 'a newer owner (fencing token) wrote an entity of this partition');
          return;
        }
        if (++stale <= STALE_RETRIES) {
          this.log.warn({ entity: first.entity }, 'commit refused: the entity changed concurrently; processing again');
          continue;
        }
        err = new Error(`entity ${first.entity} kept changing concurrently`);
      } catch (thrown) {
        if (thrown instanceof PartitionLostError || this.loss.signal.aborted) return;
        err = thrown;
      }
      failure++;
      const delay = retryDelayMs(failure, 20, 2000);
      if (failure >= 3) this.log.warn({ err, entity: first.entity, commands: take.length, failure, retryInMs: delay }, 'processing failed (store or NATS); retrying');
      await sleep(delay, this.loss.signal).catch(() => {});
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
      const entry = resultEntry(env, result, Date.now());
      if (entry) await this.d.outbox.deliver(env.entity, [entry]);
      this.ack(env);
      this.log.info({ entity: env.entity, target: targetId, cancelled }, 'cancel handled');
    } catch (err) {
      this.log.warn({ err }, 'cancel result publish failed; the cancel will be redelivered');
      env.msg.nak(1000);
    }
  }
}
