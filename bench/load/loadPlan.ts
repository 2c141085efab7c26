/**
 * What the bench's coordinator tells each load thread to do, and what a
 * thread answers. Plain data (structured-clone safe): it crosses the
 * worker_threads boundary.
 */

/** The three designs the bench compares. */
export type DesignKind =
  /** switchyard's WebSocket protocol: `accepted` after the JetStream ack, `result` later with `seq`. */
  | 'switchyard'
  /** The synchronous design: same frames, but no `accepted`; the `result` is the response. */
  | 'sync'
  /** Socket.IO: `cmd` with an ack callback (= accepted), `result` event later. */
  | 'socketio';

/** Which system the clients talk to: a design, or the bare accept/result path floor (baselines/barePathServer.ts: same frames, no `seq`, no resume). */
export type TargetKind = DesignKind | 'bare';

/** The commands a thread sends. */
export type Workload =
  /** The trivial handler: `counter.add {by:1}` on one of `entities` entities. */
  | { kind: 'counter'; entities: number; entityPrefix: string }
  /** Long AI-like work: `slowwork.run {ms}` with ms drawn from [minMs, maxMs] by command index. */
  | { kind: 'slow'; minMs: number; maxMs: number }
  /** Room fan-out: `benchroom.post` whose handler pushes one event to `topic`. */
  | { kind: 'room'; topic: string }
  /** The accept path alone: `benchnoop.run`, a handler that does nothing (the worker side drains fast). */
  | { kind: 'noop'; entities: number }
  /** Multi-step workflow: `checkout.run` = provider call (providerMs) → ledger entry (MongoDB) → notification (notifyMs). */
  | { kind: 'checkout'; providerMs: [number, number]; notifyMs: [number, number] };

export type ThreadRole =
  /** Sends commands (open or closed loop) and records them. */
  | 'commands'
  /** Subscribes to the workload's topic and records every event delivered. */
  | 'subscribers'
  /** Opens authenticated sockets, then does nothing until told to close them. */
  | 'idle';

export interface ThreadPlan {
  threadIndex: number;
  role: ThreadRole;
  target: TargetKind;
  /** URLs to connect to; connection k uses urls[k % urls.length]. */
  urls: string[];
  /** A token per connection would cost nothing more; one per thread keeps rate limits per user comparable. */
  token: string;
  connections: number;
  /** Source addresses in 127.0.0.0/8, rotated per connection (past one address's ephemeral ports). */
  sourceAddresses?: string[];
  workload: Workload;
  /** open: commands at fixed intended times; closed: `concurrency` outstanding per connection. */
  mode: 'open' | 'closed';
  /** Commands per second from this thread (open loop). */
  ratePerSecond: number;
  /** Outstanding commands per connection (closed loop); a command is done at its result. */
  concurrency: number;
  /**
   * Epoch ms at which the schedule starts (the same for every thread). 0: when the coordinator says `go`,
   * after every thread has its connections up (connection set-up is not part of any latency).
   */
  startAt: number;
  durationMs: number;
  /** Hard cap on commands of this thread. */
  maxCommands: number;
  /** After the last send: stop waiting for missing results after this long without any arriving (at most 6 × in all). */
  graceMs: number;
  /** Command ids are `<idPrefix>-<thread>-<index>`: unique per run and target. */
  idPrefix: string;
}

/** Per-command records of one thread; times are epoch ms (µs decimals), 0 = never. */
export interface CommandRecords {
  intended: Float64Array;
  firstSent: Float64Array;
  accepted: Float64Array;
  result: Float64Array;
  /** Distinct results received (by `seq` when the target has one). */
  results: Uint8Array;
  /** Times the command was sent (1 + retries). */
  attempts: Uint8Array;
  /** Final rejection code, by command index. */
  rejected: Record<number, string>;
  /** Results with ok:false, by code. */
  failedResults: Record<string, number>;
  count: number;
}

export interface ThreadReport {
  threadIndex: number;
  role: ThreadRole;
  commands: CommandRecords;
  /** Event deliveries: receive time − the sender's intended time, ms. */
  eventLatencies: Float64Array;
  /** Receive times of events (epoch ms), parallel to eventLatencies. */
  eventTimes: Float64Array;
  eventsDelivered: number;
  /** Distinct (subscriber, event index) pairs delivered more than once. */
  eventDuplicates: number;
  connectionsOpened: number;
  connectFailures: number;
  reconnects: number;
  /** Reconnects where the gateway did not resume the session (results of accepted commands then cannot arrive). */
  sessionsNotResumed: number;
  /** Frames whose `seq` was already seen (replay overlap after a resume; dropped, as a client must). */
  replayedFrames: number;
  /** Things the thread noticed that a reader of the report should know. */
  notes: string[];
}

/** Messages from a thread to the coordinator. */
export type ThreadMessage =
  | { type: 'progress'; threadIndex: number; sent: number; accepted: number; results: number; events: number; open: number }
  | { type: 'connected'; threadIndex: number; open: number }
  | { type: 'idle-open'; threadIndex: number; opened: number; failed: number; firstError?: string }
  | { type: 'done'; report: ThreadReport }
  | { type: 'failed'; threadIndex: number; error: string };

/** Messages from the coordinator to a thread. */
export type CoordinatorMessage = { type: 'close-idle' } | { type: 'go'; startAt: number };
