/** messaging: where rooms live — one document per room in `entities_messaging` (the runtime's entity store). */
import { entityRepository } from '../runtime/index.js';
import { initialRoom, type RoomState } from './roomState.js';

/** The entity collection of rooms; committedRooms.ts reads it too (committed membership for the ACL and the inbox). */
export const ROOM_COLLECTION = 'entities_messaging';

export const roomRepository = entityRepository<RoomState>({
  collection: ROOM_COLLECTION,
  initialState: initialRoom,
});
