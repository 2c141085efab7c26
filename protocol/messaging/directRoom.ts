/**
 * Direct (1:1) rooms have an id both users can compute without asking
 * anyone: `dm-` followed by the first 32 hex digits of the SHA-256 of the
 * UTF-8 JSON array of the two user ids in code-unit order,
 * e.g. `["alice","bob"]`. The same pair always gets the same room, in any
 * language (`sha256(json.dumps(sorted([a, b]), separators=(",", ":")))`).
 * Uses WebCrypto, so it runs in browsers and Node alike.
 */
import { DIRECT_ROOM_PREFIX } from './limits.js';

export async function directRoomId(a: string, b: string): Promise<string> {
  const pair = a < b ? [a, b] : [b, a];
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(pair)));
  let hex = '';
  for (const byte of new Uint8Array(digest).subarray(0, 16)) hex += byte.toString(16).padStart(2, '0');
  return `${DIRECT_ROOM_PREFIX}${hex}`;
}
