/**
 * A load-generator thread (worker_threads): runs `plan.connections` client
 * connections and drives them as the plan says, records every command and
 * event, and posts a ThreadReport when done.
 *
 * Open loop: command i of this thread is due at `startAt + i / rate`; it is
 * sent as soon as possible after that (on its connection, or when that
 * connection is back), and its latencies are measured from the due time, so
 * a stalled system cannot hide its stall by slowing the sender down (no
 * coordinated omission). Closed loop: each connection keeps `concurrency`
 * commands outstanding; latencies are measured from the actual send.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BenchConnection, ConnectionEvents, OutgoingCommand } from './benchConnection.js';
import { WsProtocolConnection } from './wsProtocolConnection.js';
import { SocketIoConnection } from './socketIoConnection.js';
import type { CommandRecords, CoordinatorMessage, ThreadMessage, ThreadPlan, ThreadReport } from './loadPlan.js';

const plan = workerData as ThreadPlan;
const now = (): number => performance.timeOrigin + performance.now();
const post = (m: ThreadMessage): void => parentPort!.postMessage(m);
const MAX_ATTEMPTS = 50;

const capacity = plan.role === 'commands' ? plan.maxCommands : 0;
const records: CommandRecords = {
  intended: new Float64Array(capacity),
  firstSent: new Float64Array(capacity),
  accepted: new Float64Array(capacity),
  result: new Float64Array(capacity),
  results: new Uint8Array(capacity),
  attempts: new Uint8Array(capacity),
  rejected: {},
  failedResults: {},
  count: 0,
};
const report: ThreadReport = {
  threadIndex: plan.threadIndex, role: plan.role, commands: records,
  eventLatencies: new Float64Array(0), eventTimes: new Float64Array(0),
  eventsDelivered: 0, eventDuplicates: 0, connectionsOpened: 0, connectFailures: 0,
  reconnects: 0, sessionsNotResumed: 0, replayedFrames: 0, notes: [],
};
const note = (text: string): void => { if (report.notes.length < 20 && !report.notes.includes(text)) report.notes.push(text); };

const idPrefix = `${plan.idPrefix}-${plan.threadIndex}-`;
const indexOf = (id: string): number => (id.startsWith(idPrefix) ? Number(id.slice(idPrefix.length)) : -1);
const seenSeqs = new Set<number>();
let eventLatencies: number[] = [];
let eventTimes: number[] = [];
const eventSeen = new Set<string>();

/** Per connection: commands sent (or due) but not yet accepted, and accepted ones waiting for their result. */
interface Lane {
  /** Position in `lanes`. */
  index: number;
  conn: BenchConnection;
  unaccepted: Set<number>;
  awaitingResult: Set<number>;
  /** Closed loop: commands of this lane not finished yet. */
  outstanding: number;
}
const lanes: Lane[] = [];
let stopIssuing = false;
let nextIndex = 0;

function commandFor(i: number): OutgoingCommand {
  const id = `${idPrefix}${i}`;
  const w = plan.workload;
  switch (w.kind) {
    case 'counter': return { id, actor: 'counter', entity: `${w.entityPrefix}${(i * 7919 + plan.threadIndex) % w.entities}`, name: 'add', data: { by: 1 } };
    case 'slow': {
      // Deterministic spread over [minMs, maxMs]: every target gets the same work for the same index.
      const ms = w.minMs + ((i * 2654435761 + plan.threadIndex * 40503) % 1000) / 999 * (w.maxMs - w.minMs);
      return { id, actor: 'slowwork', entity: `job${plan.threadIndex}x${i % 64}`, name: 'run', data: { ms: Math.round(ms) } };
    }
    case 'room': return { id, actor: 'benchroom', entity: w.topic.replace(/\./g, '_'), name: 'post', data: { topic: w.topic, i, t: records.intended[i] } };
    case 'noop': return { id, actor: 'benchnoop', entity: `n${(i * 7919 + plan.threadIndex) % w.entities}`, name: 'run' };
    case 'checkout': {
      const spread = (range: [number, number], salt: number) => Math.round(range[0] + ((i * 2654435761 + plan.threadIndex * 40503 + salt) % 1000) / 999 * (range[1] - range[0]));
      return { id, actor: 'checkout', entity: `${plan.idPrefix}o${plan.threadIndex}x${i}`, name: 'run', data: { providerMs: spread(w.providerMs, 0), notifyMs: spread(w.notifyMs, 7), amount: 1 + (i % 100) } };
    }
  }
}

function transmit(lane: Lane, i: number): void {
  lane.unaccepted.add(i);
  if (!lane.conn.ready) return; // sent when the connection is back (onReady)
  if (records.attempts[i]! >= MAX_ATTEMPTS) return;
  if (lane.conn.send(commandFor(i))) {
    if (records.firstSent[i] === 0) records.firstSent[i] = now();
    records.attempts[i]!++;
  }
}

function issue(lane: Lane, intendedAt: number): void {
  const i = nextIndex++;
  records.intended[i] = intendedAt;
  records.count = nextIndex;
  lane.outstanding++;
  transmit(lane, i);
}

/** A command is finished for the closed loop when its result (or final rejection) is in. */
function finished(lane: Lane): void {
  lane.outstanding--;
  if (plan.mode === 'closed' && !stopIssuing && nextIndex < capacity) issue(lane, now());
}

function laneEvents(lane: () => Lane): ConnectionEvents {
  return {
    onReady(resumed, reconnect) {
      const l = lane();
      if (!reconnect) report.connectionsOpened++;
      else {
        report.reconnects++;
        if (plan.target === 'switchyard' && !resumed && l.awaitingResult.size > 0) report.sessionsNotResumed++;
      }
      // Retry under the same id whatever was sent and not accepted (the gateway deduplicates).
      for (const i of l.unaccepted) transmit(l, i);
      // Connections re-join their topics by themselves after a reconnect.
      if (plan.role === 'subscribers' && !reconnect) l.conn.subscribe((plan.workload as { topic: string }).topic);
    },
    onDown(code, reason) {
      // Drains (1012) and crashes (1006) are the scenario; anything else is worth a line in the report.
      if (code !== 1012 && code !== 1000 && code !== 1005 && code !== 1006 && code !== 0) note(`connection closed with ${code} ${reason}`);
    },
    onAccepted(id, at) {
      const i = indexOf(id);
      if (i < 0 || i >= records.count) return;
      const l = lane();
      l.unaccepted.delete(i);
      if (records.accepted[i] === 0) records.accepted[i] = at;
      if (records.results[i] === 0) l.awaitingResult.add(i);
    },
    onRejected(id, code, retryable, _at) {
      const i = indexOf(id);
      if (i < 0 || i >= records.count) return;
      const l = lane();
      if (retryable && records.attempts[i]! < MAX_ATTEMPTS && !stopIssuing) {
        setTimeout(() => { if (l.unaccepted.has(i)) transmit(l, i); }, 50);
        return;
      }
      l.unaccepted.delete(i);
      records.rejected[i] = code;
      finished(l);
    },
    onResult(id, seq, ok, errorCode, at) {
      if (seq !== undefined) {
        if (seenSeqs.has(seq)) { report.replayedFrames++; return; }
        seenSeqs.add(seq);
      }
      const i = indexOf(id);
      if (i < 0 || i >= records.count) return;
      const l = lane();
      if (!ok) records.failedResults[errorCode ?? 'UNKNOWN'] = (records.failedResults[errorCode ?? 'UNKNOWN'] ?? 0) + 1;
      if (records.results[i]! < 255) records.results[i]!++;
      if (records.results[i] === 1) {
        records.result[i] = at;
        // The synchronous design answers once, at the end: that answer is its "accepted" too.
        if (plan.target === 'sync' && records.accepted[i] === 0) records.accepted[i] = at;
        l.unaccepted.delete(i);
        l.awaitingResult.delete(i);
        finished(l);
      }
    },
    onEvent(_topic, data, _seq, at) {
      const d = data as { i?: number; t?: number; from?: number } | undefined;
      if (typeof d?.t !== 'number') return;
      const key = `${lane().index}:${d.i}:${d.t}`; // index and intended time: unique per post, across senders
      if (eventSeen.has(key)) { report.eventDuplicates++; return; }
      eventSeen.add(key);
      report.eventsDelivered++;
      eventLatencies.push(at - d.t);
      eventTimes.push(at);
    },
    onSubscribed(topic, refusal) {
      if (refusal) note(`sub ${topic} refused: ${refusal}`);
    },
    onError(message) {
      report.connectFailures++;
      note(`connect/handshake error: ${message}`);
    },
  };
}

function openConnections(): void {
  for (let k = 0; k < plan.connections; k++) {
    const lane: Lane = { index: k, conn: undefined as unknown as BenchConnection, unaccepted: new Set(), awaitingResult: new Set(), outstanding: 0 };
    const options = {
      url: plan.urls[k % plan.urls.length]!,
      token: plan.token,
      affinityKey: `${plan.idPrefix}-${plan.threadIndex}-${k}`,
      localAddress: plan.sourceAddresses?.[k % plan.sourceAddresses.length],
      events: laneEvents(() => lane),
    };
    lane.conn = plan.target === 'socketio'
      ? new SocketIoConnection(options)
      : new WsProtocolConnection({ ...options, resume: plan.target === 'switchyard' });
    lanes.push(lane);
    lane.conn.start();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function progress(): void {
  let accepted = 0;
  let results = 0;
  for (let i = 0; i < records.count; i++) {
    if (records.accepted[i]! > 0) accepted++;
    if (records.results[i]! > 0) results++;
  }
  post({ type: 'progress', threadIndex: plan.threadIndex, sent: records.count, accepted, results, events: report.eventsDelivered, open: lanes.filter((l) => l.conn.ready).length });
}

async function waitReady(deadline: number): Promise<void> {
  while (lanes.some((l) => !l.conn.ready) && now() < deadline) await sleep(20);
}

function pendingCount(): number {
  let n = 0;
  for (let i = 0; i < records.count; i++) {
    if (records.results[i] === 0 && records.rejected[i] === undefined) n++;
  }
  return n;
}

async function runCommands(): Promise<void> {
  const endAt = plan.startAt + plan.durationMs;
  const ticker = setInterval(progress, 1000);
  while (now() < plan.startAt) await sleep(Math.min(5, plan.startAt - now()));
  if (plan.mode === 'closed') {
    for (const lane of lanes) for (let c = 0; c < plan.concurrency && nextIndex < capacity; c++) issue(lane, now());
    while (now() < endAt && nextIndex < capacity) await sleep(20);
  } else {
    const total = Math.min(capacity, Math.floor((plan.durationMs / 1000) * plan.ratePerSecond));
    const interval = 1000 / plan.ratePerSecond;
    while (nextIndex < total) {
      const due = Math.min(total, Math.floor((now() - plan.startAt) / interval) + 1);
      while (nextIndex < due) issue(lanes[nextIndex % lanes.length]!, plan.startAt + nextIndex * interval);
      await sleep(Math.max(0, Math.min(2, plan.startAt + nextIndex * interval - now())));
    }
  }
  stopIssuing = true;
  // Wait while answers still come in (a backlog drains), up to graceMs of silence or 6 × graceMs in all:
  // what is still unanswered after that is reported as lost, not as slow.
  const hardEnd = now() + plan.graceMs * 6;
  let pending = pendingCount();
  let quietSince = now();
  while (pending > 0 && now() < hardEnd && now() - quietSince < plan.graceMs) {
    await sleep(100);
    const p = pendingCount();
    if (p < pending) quietSince = now();
    pending = p;
  }
  clearInterval(ticker);
  progress();
}

/** Subscribers listen until the end of the plan, or until the coordinator says `close-idle` (the senders are done). */
async function runSubscribers(): Promise<void> {
  const endAt = plan.startAt + plan.durationMs + plan.graceMs;
  let told = false;
  parentPort!.on('message', (m: CoordinatorMessage) => { if (m.type === 'close-idle') told = true; });
  const ticker = setInterval(progress, 1000);
  while (now() < endAt && !told) await sleep(50);
  clearInterval(ticker);
}

async function runIdle(): Promise<void> {
  await waitReady(now() + 120_000);
  const opened = lanes.filter((l) => l.conn.ready).length;
  post({ type: 'idle-open', threadIndex: plan.threadIndex, opened, failed: plan.connections - opened, ...(report.notes[0] ? { firstError: report.notes[0] } : {}) });
  await new Promise<void>((resolve) => parentPort!.on('message', (m: CoordinatorMessage) => { if (m.type === 'close-idle') resolve(); }));
}

/** Waits for the coordinator's start time when the plan leaves it open. */
async function startTime(): Promise<void> {
  post({ type: 'connected', threadIndex: plan.threadIndex, open: lanes.filter((l) => l.conn.ready).length });
  if (plan.startAt > 0) return;
  plan.startAt = await new Promise<number>((resolve) => {
    const onMessage = (m: CoordinatorMessage) => { if (m.type === 'go') { parentPort!.off('message', onMessage); resolve(m.startAt); } };
    parentPort!.on('message', onMessage);
  });
}

try {
  openConnections();
  await waitReady(now() + 30_000);
  if (plan.role !== 'idle') await startTime();
  if (plan.role === 'commands') await runCommands();
  else if (plan.role === 'subscribers') await runSubscribers();
  else await runIdle();
  for (const lane of lanes) lane.conn.close();
  report.eventLatencies = Float64Array.from(eventLatencies);
  report.eventTimes = Float64Array.from(eventTimes);
  eventLatencies = [];
  eventTimes = [];
  post({ type: 'done', report });
} catch (err) {
  post({ type: 'failed', threadIndex: plan.threadIndex, error: (err as Error).stack ?? String(err) });
}
