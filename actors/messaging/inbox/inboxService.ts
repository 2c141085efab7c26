/** messaging inbox: a member's view of one room in their room list — pure. */
import type { InboxRoom } from '../../../protocol/index.js';
import type { RoomSummary } from '../committedRooms.js';
import { unread } from '../roomService.js';

export function inboxRoom(summary: RoomSummary): InboxRoom {
  const { member } = summary;
  return {
    room: summary.room,
    kind: summary.kind,
    title: summary.title,
    role: member.role,
    lastSeq: summary.lastSeq,
    readSeq: member.readSeq,
    unread: unread(member, summary.lastSeq),
  };
}

/** The cursor for the next page: the last room id the index gave, when it had more than a page. */
export function nextCursor(candidates: string[], limit: number): string | undefined {
  return candidates.length > limit ? candidates[limit - 1] : undefined;
}
