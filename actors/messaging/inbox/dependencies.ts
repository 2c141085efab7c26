/** messaging inbox: what its controller reads — the membership index and committed rooms. */
import type { ActorPlatform } from '../../runtime/index.js';
import { CommittedRooms } from '../committedRooms.js';
import { MembershipIndex } from '../membershipIndex.js';

export interface InboxDeps {
  memberships: MembershipIndex;
  rooms: CommittedRooms;
}

export function inboxDependencies(platform: ActorPlatform): InboxDeps {
  return { memberships: new MembershipIndex(platform.db), rooms: new CommittedRooms(platform.db) };
}
