/**
 * `npm run dlq -- <command>`: inspect and replay dead letters (stream DLQ,
 * subjects `dlq.<actor>`). Connects with NATS_URL like every process.
 *
 *   list [--actor <name>] [--limit <n>]   one line per dead letter: seq, time, actor, entity, command, attempts, reason
 *   show <seq>                            everything about one: headers and body
 *   replay <seq> | --all [--actor <name>] publish again to the original subject, then remove from the DLQ
 *   purge <seq> | --all [--actor <name>]  remove without replaying
 *
 * A replay is a new command for the entity (key `<original key>:replay:<dlq seq>`),
 * so it is applied even though the original was recorded as dead-lettered;
 * replaying the same dead letter twice is de-duplicated. The sender's session
 * (if still there) gets the replay's result under the same command id.
 */
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { HEADERS, STREAMS, parseCommandSubject, subjects } from '../protocol/index.js';
import { PLATFORM_CONFIG, connectNats, loadConfig } from '../platform/index.js';
import { CARRIED_HEADERS, replayKey } from './runtime/deadLetters.js';

interface DeadLetter {
  seq: number;
  time: string;
  actor: string;
  entity: string;
  command: string;
  commandId: string;
  attempts: number;
  reason: string;
  msg: StoredMsg;
}

function describe(msg: StoredMsg): DeadLetter {
  const original = msg.header.get(HEADERS.deadLetterSubject);
  const route = parseCommandSubject(original);
  let body: { id?: string; name?: string } = {};
  try { body = msg.json(); } catch { /* shown as is */ }
  return {
    seq: msg.seq,
    time: msg.time.toISOString(),
    actor: route?.actor ?? msg.subject.slice('dlq.'.length),
    entity: route?.entity ?? '?',
    command: body.name ?? '?',
    commandId: body.id ?? '?',
    attempts: Number(msg.header.get(HEADERS.deadLetterAttempts) || 0),
    reason: msg.header.get(HEADERS.deadLetterReason),
    msg,
  };
}

/** Dead letters in stream order (optionally of one actor type), at most `limit`. */
async function deadLetters(jsm: JetStreamManager, actor: string | undefined, limit: number): Promise<DeadLetter[]> {
  const info = await jsm.streams.info(STREAMS.deadLetters);
  const out: DeadLetter[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && out.length < limit; seq++) {
    const msg = await jsm.streams.getMessage(STREAMS.deadLetters, { seq }).catch(() => null);
    if (!msg) continue;
    if (actor && msg.subject !== subjects.deadLetter(actor)) continue;
    out.push(describe(msg));
  }
  return out;
}

async function replay(nc: NatsConnection, jsm: JetStreamManager, dead: DeadLetter): Promise<void> {
  const subject = dead.msg.header.get(HEADERS.deadLetterSubject);
  if (!parseCommandSubject(subject)) throw new Error(`dead letter ${dead.seq} has no original command subject`);
  const h = natsHeaders();
  for (const name of CARRIED_HEADERS) {
    const v = dead.msg.header.get(name);
    if (v) h.set(name, v);
  }
  const key = replayKey(dead.msg.header.get(HEADERS.msgId), dead.seq);
  await jetstream(nc).publish(subject, dead.msg.data, { msgID: key, headers: h });
  await jsm.streams.deleteMessage(STREAMS.deadLetters, dead.seq, false);
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const USAGE = 'usage: npm run dlq -- list [--actor <name>] [--limit <n>] | show <seq> | replay <seq>|--all [--actor <name>] | purge <seq>|--all [--actor <name>]';

async function main(args: string[]): Promise<number> {
  const [command, target] = args;
  if (!command || !['list', 'show', 'replay', 'purge'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  // The platform section is all it needs (NATS); it warns about nothing.
  const { config } = loadConfig(process.env, [PLATFORM_CONFIG]);
  const nc = await connectNats(config, { name: 'dlq cli' });
  try {
    const jsm = await jetstreamManager(nc);
    const actor = option(args, '--actor');
    const say = (line: string) => process.stdout.write(`${line}\n`);
    if (command === 'list') {
      const limit = Number(option(args, '--limit') ?? 100);
      const all = await deadLetters(jsm, actor, limit);
      say(['seq', 'time', 'actor', 'entity', 'command', 'id', 'attempts', 'reason'].join('\t'));
      for (const d of all) say([d.seq, d.time, d.actor, d.entity, d.command, d.commandId, d.attempts, d.reason].join('\t'));
      return 0;
    }
    const chosen = target === '--all'
      ? await deadLetters(jsm, actor, Number.MAX_SAFE_INTEGER)
      : [describe(await jsm.streams.getMessage(STREAMS.deadLetters, { seq: Number(target) }).then((m) => {
        if (!m) throw new Error(`no dead letter at seq ${target}`);
        return m;
      }))];
    if (command === 'show') {
      const d = chosen[0]!;
      const headers = Object.fromEntries(d.msg.header.keys().map((k) => [k, d.msg.header.get(k)]));
      let body: unknown;
      try { body = d.msg.json(); } catch { body = d.msg.string(); }
      say(JSON.stringify({ seq: d.seq, time: d.time, subject: d.msg.subject, headers, body }, null, 2));
      return 0;
    }
    for (const d of chosen) {
      if (command === 'replay') await replay(nc, jsm, d);
      else await jsm.streams.deleteMessage(STREAMS.deadLetters, d.seq, false);
      say(`${command === 'replay' ? 'replayed' : 'purged'} ${d.seq} (${d.actor}/${d.entity} ${d.command} ${d.commandId})`);
    }
    return 0;
  } finally {
    await nc.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`dlq: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
