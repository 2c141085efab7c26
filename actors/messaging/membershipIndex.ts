/**
 * messaging: the per-user room index, a side collection
 * `messaging_memberships` with one document per (room, user), `_id` =
 * `<room>|<user>` (room ids cannot contain `|`). It answers "which rooms
 * is this user in?", which the room entities cannot (they are keyed by
 * room).
 *
 * The room actor writes it in the same handler that changes membership,
 * BEFORE the entity commit, as an upsert of the same content (idempotent on
 * retries). Should that commit never happen, the index is ahead of the
 * truth; readers therefore only take it as a list of candidates and check
 * each against the committed room (committedRooms.ts).
 */
import type { Collection, Db } from 'mongodb';

interface MembershipDocument {
  _id: string;
  room: string;
  user: string;
  /** false after leaving or being removed (the document stays: writing it is then still a plain idempotent upsert). */
  active: boolean;
}

export const MEMBERSHIP_COLLECTION = 'messaging_memberships';

export class MembershipIndex {
  private readonly collection: Collection<MembershipDocument>;

  constructor(db: Db) {
    this.collection = db.collection<MembershipDocument>(MEMBERSHIP_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ user: 1, active: 1, room: 1 }, { name: 'user_active_room' });
  }

  /** Records that `user` is (active) or is no longer (inactive) a member of `room`. */
  async record(room: string, users: string[], active: boolean): Promise<void> {
    await Promise.all(users.map((user) => this.collection.updateOne(
      { _id: `${room}|${user}` },
      { $set: { room, user, active } },
      { upsert: true },
    )));
  }

  /** Up to `limit` + 1 rooms the index lists for `user`, by room id, after `after`. */
  async roomsOf(user: string, after: string | undefined, limit: number): Promise<string[]> {
    const docs = await this.collection
      .find(after === undefined ? { user, active: true } : { user, active: true, room: { $gt: after } })
      .sort({ room: 1 })
      .limit(limit + 1)
      .toArray();
    return docs.map((d) => d.room);
  }
}
