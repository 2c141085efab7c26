/**
 * messaging: the message history, a side collection `messaging_messages`
 * with one document per message, `_id` = `<room>:<seq>`, and beside it
 * `messaging_client_ids`, one document per sent client id
 * (`_id` = `<room>|<author token>|<clientId>` → `{seq}`), so that a message
 * sent again is found by `_id` alone.
 *
 * The room actor writes both BEFORE the entity commit that moves the room's
 * lastSeq to the message, as replace/upsert by `_id`: doing it again (a
 * retry, a redelivery) writes the same documents, and a leftover of an
 * attempt that never committed sits exactly at lastSeq + 1, where the next
 * message replaces it. Readers only ever ask for seq <= the committed
 * lastSeq (historyService.ts), and a client id counts as sent only when its
 * seq is committed AND the message there carries it — so a leftover is
 * never seen. This gives exactly-once history without multi-document
 * transactions.
 *
 * Lookups are by `_id` except the history range, which uses the unique
 * (room, seq) index. (FerretDB v1, the dev/test server, answers only `_id`
 * lookups from an index; everything else scans there — fine for tests,
 * which is why the hot path of `post` avoids it.)
 */
import type { Collection, Db } from 'mongodb';
import { subjectToken, type Message } from '../../protocol/index.js';
import type { HistoryRange } from './historyService.js';

interface MessageDocument extends Message {
  _id: string;
}

interface ClientIdDocument {
  _id: string;
  seq: number;
}

export const MESSAGE_COLLECTION = 'messaging_messages';
export const CLIENT_ID_COLLECTION = 'messaging_client_ids';

function clientIdKey(room: string, author: string, clientId: string): string {
  return `${room}|${subjectToken(author)}|${clientId}`;
}

export function messageId(room: string, seq: number): string {
  return `${room}:${seq}`;
}

function toMessage(doc: MessageDocument): Message {
  const { _id, ...message } = doc;
  return message;
}

export class MessageStore {
  private readonly collection: Collection<MessageDocument>;
  private readonly clientIds: Collection<ClientIdDocument>;

  constructor(db: Db) {
    this.collection = db.collection<MessageDocument>(MESSAGE_COLLECTION);
    this.clientIds = db.collection<ClientIdDocument>(CLIENT_ID_COLLECTION);
  }

  /** (room, seq) serves history pages. */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ room: 1, seq: 1 }, { unique: true, name: 'room_seq' });
  }

  /** Stores a new message at its seq, and its client id (idempotent: the same message again changes nothing). */
  async put(message: Message): Promise<void> {
    await Promise.all([
      this.collection.replaceOne({ _id: messageId(message.room, message.seq) }, message, { upsert: true }),
      this.clientIds.replaceOne({ _id: clientIdKey(message.room, message.author, message.clientId) }, { seq: message.seq }, { upsert: true }),
    ]);
  }

  /** Stores a changed message (edit, deletion, reactions) in place. */
  async update(message: Message): Promise<void> {
    await this.collection.replaceOne({ _id: messageId(message.room, message.seq) }, message, { upsert: true });
  }

  async get(room: string, seq: number): Promise<Message | undefined> {
    const doc = await this.collection.findOne({ _id: messageId(room, seq) });
    return doc ? toMessage(doc) : undefined;
  }

  /**
   * The message `author` last stored with `clientId`, if the message at the
   * seq recorded for it still carries it — committed or a leftover: the
   * caller compares its seq with lastSeq.
   */
  async byClientId(room: string, author: string, clientId: string): Promise<Message | undefined> {
    const claim = await this.clientIds.findOne({ _id: clientIdKey(room, author, clientId) });
    if (!claim) return undefined;
    const message = await this.get(room, claim.seq);
    return message?.author === author && message.clientId === clientId ? message : undefined;
  }

  /** Up to range.limit + 1 messages of the range, in its order. */
  async read(room: string, range: HistoryRange): Promise<Message[]> {
    const docs = await this.collection
      .find({ room, seq: { $gt: range.above, $lt: range.below } })
      .sort({ seq: range.newestFirst ? -1 : 1 })
      .limit(range.limit + 1)
      .toArray();
    return docs.map(toMessage);
  }
}
