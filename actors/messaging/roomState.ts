/**
 * messaging: the room entity's state, as the runtime stores it (one
 * document per room in `entities_messaging`, field `state`). Messages are
 * NOT here: they live in the `messaging_messages` side collection (see
 * messageStore.ts and README.md); the room keeps only `lastSeq`, the
 * sequence of its last committed message.
 *
 * Members and invitations are keyed by the user's subject token
 * (subjectToken): user ids may contain characters MongoDB does not allow in
 * field names, tokens never do; the ACL responder reads one member by that
 * key (committedRooms.ts).
 */
import type { RoomKind, RoomRole } from '../../protocol/index.js';

export interface RoomMember {
  user: string;
  role: RoomRole;
  joinedAt: number;
  /** The member's read marker: every message with seq <= readSeq counts as read. */
  readSeq: number;
}

export interface RoomInvitation {
  user: string;
  by: string;
  at: number;
}

export interface RoomState {
  /** '' until the room is created (the runtime's initial state for any id). */
  kind: RoomKind | '';
  title: string;
  public: boolean;
  createdBy: string;
  createdAt: number;
  /** Sequence of the last committed message; 0 = none. Messages above it are not visible anywhere. */
  lastSeq: number;
  members: Record<string, RoomMember>;
  invited: Record<string, RoomInvitation>;
}

export function initialRoom(): RoomState {
  return { kind: '', title: '', public: false, createdBy: '', createdAt: 0, lastSeq: 0, members: {}, invited: {} };
}
