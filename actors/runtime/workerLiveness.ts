/**
 * Failure detection faster than the lease (ARCHITECTURE decision 18): the
 * workers of an actor type beat on `ctl.actors.<actor>.alive` (core NATS,
 * the payload is the member id) every quarter of the detection time, and
 * each listens to every beat, its own included. A peer that was heard and
 * then stays silent for the whole detection time is declared dead
 * (`onDead`); a peer heard for the first time, or again after that, is
 * alive (`onAlive`).
 * Beats are not acknowledged and cost nothing to lose: a worker wrongly
 * declared dead loses its partitions early, never its safety — the fencing
 * token still refuses a superseded owner's writes.
 *
 * A peer is declared dead only while this worker's own beats kept coming
 * back after the peer's last one, for nearly the detection time: one
 * connection delivers the beats in order, so that is evidence the silence is
 * the peer's, not this worker's (its connection down, or its event loop
 * stalled — a stalled worker reads the beats that waited in its socket, in
 * order, when it wakes). Beats lost while this worker's connection was down
 * are not held against anyone: a reconnect gives every peer a fresh
 * detection time.
 *
 * The other direction: the peers may have declared THIS worker dead while
 * it was paused or cut off, and taken its leases over. `reconfirmAfter()`
 * says from when on a lease must have been confirmed by Redis before a
 * commit relies on it (fencedLeases.ts ensureLeaseForCommit).
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { subjects } from '../../protocol/index.js';
import type { Logger } from '../../platform/index.js';

export interface WorkerLivenessDeps {
  nc: NatsConnection;
  actor: string;
  /** This worker's member id (the owner of its leases). */
  member: string;
  /** Silence after which a peer is declared dead. */
  detectionMs: number;
  logger: Logger;
  onDead: (member: string) => void;
  onAlive: (member: string) => void;
}

export class WorkerLiveness {
  /** Peers heard, with the local time they were last heard. */
  private readonly heard = new Map<string, number>();
  private heardSelfAt = 0;
  private selfGapEndedAt = 0;
  private readonly beatMs: number;
  /** A gap this long in this worker's own beats may be the start of being declared dead. */
  private readonly selfGapMs: number;
  private sub: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly d: WorkerLivenessDeps) {
    this.beatMs = Math.max(25, Math.floor(d.detectionMs / 4));
    this.selfGapMs = Math.max(this.beatMs * 2, Math.floor(d.detectionMs / 2));
  }

  start(): void {
    this.sub = this.d.nc.subscribe(subjects.actorAlive(this.d.actor), {
      callback: (_err, msg) => this.received(msg.string(), Date.now()),
    });
    this.beat();
    this.timer = setInterval(() => this.tick(), this.beatMs);
    this.timer.unref();
    void (async () => {
      for await (const status of this.d.nc.status()) {
        if (this.stopped) return;
        if (status.type === 'disconnect' || status.type === 'reconnect') this.hearEveryoneAfresh(Date.now());
      }
    })().catch(() => {});
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.sub?.unsubscribe();
  }

  /**
   * The local time after which a lease must have been confirmed by Redis
   * before a commit: the end of this worker's last gap in its own beats, or
   * now (always confirm) while its own beats are not coming back.
   */
  reconfirmAfter(now = Date.now()): number {
    return now - this.heardSelfAt > this.selfGapMs ? now : this.selfGapEndedAt;
  }

  private beat(): void {
    try {
      this.d.nc.publish(subjects.actorAlive(this.d.actor), this.d.member);
    } catch { /* connection closed or reconnecting: the silence is this worker's own, see tick() */ }
  }

  private received(member: string, at: number): void {
    if (member === this.d.member) {
      if (at - this.heardSelfAt > this.selfGapMs) this.selfGapEndedAt = at;
      this.heardSelfAt = at;
      return;
    }
    const known = this.heard.has(member);
    this.heard.set(member, at);
    if (!known) this.d.onAlive(member);
  }

  private hearEveryoneAfresh(now: number): void {
    for (const peer of this.heard.keys()) this.heard.set(peer, now);
  }

  private tick(): void {
    this.beat();
    const now = Date.now();
    for (const [peer, at] of this.heard) {
      if (now - at < this.d.detectionMs || this.heardSelfAt - at < this.d.detectionMs - this.beatMs) continue;
      this.heard.delete(peer);
      this.d.logger.warn({ member: peer, silentMs: now - at }, 'worker declared dead (no liveness beat)');
      this.d.onDead(peer);
    }
  }
}
