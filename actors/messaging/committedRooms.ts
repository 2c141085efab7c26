/**
 * messaging: reads of COMMITTED room state from outside the room actor (the
 * topic ACL responder, the inbox). It reads the room entity documents the
 * runtime writes (`entities_messaging`, the room state under `state`), by
 * _id, projecting only what it needs. The entity document is changed only
 * by the runtime's one atomic commit, so what it says is what the room
 * actor decided — never a half-applied command.
 */
import type { Collection, Db } from 'mongodb';
import type { RoomKind, RoomRole } from '../../protocol/index.js';
import { ROOM_COLLECTION } from './roomRepository.js';
import { memberKey } from './roomService.js';
import type { RoomMember, RoomState } from './roomState.js';

interface RoomDocument {
  _id: string;
  state?: Partial<RoomState>;
}

/** What the inbox shows of one room for one member. */
export interface RoomSummary {
  room: string;
  kind: RoomKind;
  title: string;
  lastSeq: number;
  member: RoomMember;
}

/** The member under `key` (own properties only: a user id such as `__proto__` must not find anything else). */
function ownMember(state: Partial<RoomState> | undefined, key: string): RoomMember | undefined {
  const members = state?.members;
  return members && Object.hasOwn(members, key) ? members[key] : undefined;
}

export class CommittedRooms {
  private readonly collection: Collection<RoomDocument>;

  constructor(db: Db) {
    this.collection = db.collection<RoomDocument>(ROOM_COLLECTION);
  }

  /** The user's role in the room, or undefined when they are not a member (or the room does not exist). */
  async roleOf(room: string, user: string): Promise<RoomRole | undefined> {
    const key = memberKey(user);
    const doc = await this.collection.findOne({ _id: room }, { projection: { [`state.members.${key}.role`]: 1 } });
    return ownMember(doc?.state, key)?.role;
  }

  /** Summaries of those `rooms` the user is a member of, in the order given. */
  async summaries(rooms: string[], user: string): Promise<RoomSummary[]> {
    if (rooms.length === 0) return [];
    const key = memberKey(user);
    const docs = await this.collection
      .find({ _id: { $in: rooms } }, { projection: { 'state.kind': 1, 'state.title': 1, 'state.lastSeq': 1, [`state.members.${key}`]: 1 } })
      .toArray();
    const byId = new Map(docs.map((d) => [d._id, d]));
    return rooms.flatMap((room) => {
      const state = byId.get(room)?.state;
      const member = ownMember(state, key);
      if (!state || !member || (state.kind !== 'group' && state.kind !== 'direct')) return [];
      return [{ room, kind: state.kind, title: state.title ?? '', lastSeq: state.lastSeq ?? 0, member }];
    });
  }
}
