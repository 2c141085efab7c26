/**
 * The messaging feature's pure functions: rooms and roles, messages and
 * reactions, history cursors, presence timing, the inbox view, direct
 * room ids. No servers.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { MESSAGING_LIMITS, directRoomId, roomOfTopic, roomTopic, userTopic, type Message } from '../../protocol/index.js';
import * as rooms from '../../actors/messaging/roomService.js';
import * as messages from '../../actors/messaging/messageService.js';
import { historyPage, historyRange, isEmptyRange } from '../../actors/messaging/historyService.js';
import { presenceTiming } from '../../actors/messaging/presenceService.js';
import { inboxRoom, nextCursor } from '../../actors/messaging/inbox/inboxService.js';
import { initialRoom, type RoomState } from '../../actors/messaging/roomState.js';

const T = 1_700_000_000_000;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

/** alice owns "r", bob is a member, carol is invited. */
function room(): RoomState {
  let r = rooms.createGroupRoom(initialRoom(), 'alice', 'Room', false, T);
  r = rooms.invite(r, 'alice', 'bob', T);
  r = rooms.join(r, 'bob', T).room;
  return rooms.invite(r, 'alice', 'carol', T);
}

function posted(r: RoomState, author: string, text: string): { room: RoomState; message: Message } {
  const message = messages.nextMessage(r, 'r', author, `c${r.lastSeq + 1}`, text, T);
  return { room: messages.appendMessage(r, message), message };
}

t.test('messaging service - creating a room makes the creator its owner; a room id is created once', async () => {
  const r = rooms.createGroupRoom(initialRoom(), 'alice', 'Room', true, T);
  assert.equal(r.kind, 'group');
  assert.equal(rooms.memberOf(r, 'alice')?.role, 'owner');
  assert.equal(codeOf(() => rooms.createGroupRoom(r, 'bob', 'Other', false, T)), 'CONFLICT');
});

t.test('messaging service - only invited users join a private room; anyone joins a public one; joining twice changes nothing', async () => {
  const r = room();
  assert.equal(codeOf(() => rooms.join(r, 'mallory', T)), 'FORBIDDEN');
  const joined = rooms.join(r, 'carol', T);
  assert.equal(joined.joined, true);
  assert.equal(rooms.isInvited(joined.room, 'carol'), false, 'the invitation is used up');
  assert.deepEqual(rooms.join(joined.room, 'carol', T), { room: joined.room, joined: false });
  const open = rooms.createGroupRoom(initialRoom(), 'alice', 'Open', true, T);
  assert.equal(rooms.join(open, 'mallory', T).joined, true);
  assert.equal(codeOf(() => rooms.join(initialRoom(), 'alice', T)), 'FORBIDDEN', 'a room that does not exist looks like one you may not join');
});

t.test('messaging service - a new member starts with the earlier messages read', async () => {
  let r = room();
  for (let i = 0; i < 3; i++) r = posted(r, 'alice', 'hi').room;
  const { room: joined } = rooms.join(r, 'carol', T);
  assert.equal(rooms.memberOf(joined, 'carol')?.readSeq, 3);
});

t.test('messaging service - only owners invite, remove and change roles; the last owner cannot leave or be demoted', async () => {
  const r = room();
  assert.equal(codeOf(() => rooms.invite(r, 'bob', 'dave', T)), 'FORBIDDEN');
  assert.equal(codeOf(() => rooms.invite(r, 'mallory', 'dave', T)), 'FORBIDDEN');
  assert.equal(codeOf(() => rooms.invite(r, 'alice', 'bob', T)), 'CONFLICT', 'bob is a member already');
  assert.equal(rooms.invite(r, 'alice', 'carol', T), r, 'inviting again changes nothing');
  assert.equal(codeOf(() => rooms.remove(r, 'bob', 'alice')), 'FORBIDDEN');
  assert.equal(codeOf(() => rooms.remove(r, 'alice', 'alice')), 'VALIDATION');
  assert.equal(codeOf(() => rooms.remove(r, 'alice', 'nobody')), 'NOT_FOUND');
  assert.equal(rooms.remove(r, 'alice', 'carol').wasMember, false, 'withdrawing an invitation');
  assert.equal(codeOf(() => rooms.leave(r, 'alice')), 'CONFLICT');
  assert.equal(codeOf(() => rooms.setRole(r, 'alice', 'alice', 'member')), 'CONFLICT');
  const promoted = rooms.setRole(r, 'alice', 'bob', 'owner');
  assert.equal(promoted.changed, true);
  const left = rooms.leave(promoted.room, 'alice');
  assert.equal(rooms.memberOf(left, 'alice'), undefined);
  assert.equal(rooms.memberOf(left, 'bob')?.role, 'owner');
});

t.test('messaging service - a room holds a bounded number of members and invitations', async () => {
  let r = rooms.createGroupRoom(initialRoom(), 'owner', 'Big', false, T);
  for (let i = 1; i < MESSAGING_LIMITS.membersPerRoom; i++) r = rooms.invite(r, 'owner', `u${i}`, T);
  assert.equal(codeOf(() => rooms.invite(r, 'owner', 'one-too-many', T)), 'CONFLICT');
});

t.test('messaging service - a direct room has exactly its two members, is opened again without change, and refuses membership changes', async () => {
  const { room: dm, created } = rooms.openDirectRoom(initialRoom(), 'alice', 'bob', T);
  assert.equal(created, true);
  assert.deepEqual(rooms.memberUsers(dm).sort(), ['alice', 'bob']);
  assert.deepEqual(rooms.openDirectRoom(dm, 'bob', 'alice', T), { room: dm, created: false });
  assert.equal(codeOf(() => rooms.openDirectRoom(dm, 'mallory', 'alice', T)), 'FORBIDDEN');
  assert.equal(codeOf(() => rooms.openDirectRoom(initialRoom(), 'alice', 'alice', T)), 'VALIDATION');
  assert.equal(codeOf(() => rooms.leave(dm, 'alice')), 'CONFLICT');
  assert.equal(codeOf(() => rooms.invite(dm, 'alice', 'carol', T)), 'FORBIDDEN', 'nobody owns a direct room');
});

t.test('messaging service - user ids that are not plain tokens are members under a safe key', async () => {
  const odd = 'user.with$odd chars';
  const r = rooms.createGroupRoom(initialRoom(), odd, 'Room', false, T);
  assert.ok(!Object.keys(r.members).some((k) => k.includes('.') || k.includes('$')));
  assert.equal(rooms.memberOf(r, odd)?.user, odd);
  assert.equal(rooms.memberOf(r, '__proto__'), undefined);
  assert.equal(codeOf(() => rooms.requireMember(r, 'constructor')), 'FORBIDDEN');
});

t.test('messaging service - messages take the next room sequence and their author has read them', async () => {
  let r = room();
  const first = posted(r, 'alice', 'one');
  const second = posted(first.room, 'bob', 'two');
  assert.deepEqual([first.message.seq, second.message.seq], [1, 2]);
  r = second.room;
  assert.equal(r.lastSeq, 2);
  assert.equal(rooms.memberOf(r, 'bob')?.readSeq, 2);
  assert.equal(rooms.memberOf(r, 'alice')?.readSeq, 1);
  assert.throws(() => messages.appendMessage(r, first.message), /does not follow/);
  assert.equal(codeOf(() => messages.requireText(' \n\t')), 'VALIDATION');
});

t.test('messaging service - only committed messages can be changed', async () => {
  const { room: r, message } = posted(room(), 'alice', 'one');
  assert.equal(messages.requireCommitted(r, 1, message), message);
  assert.equal(codeOf(() => messages.requireCommitted(r, 2, { ...message, seq: 2 })), 'NOT_FOUND', 'a leftover above lastSeq does not exist');
  assert.equal(codeOf(() => messages.requireCommitted(r, 1, undefined)), 'NOT_FOUND');
});

t.test('messaging service - the author edits; the author or an owner deletes; a deleted message keeps its place', async () => {
  let { room: r, message } = posted(room(), 'bob', 'typo');
  assert.equal(codeOf(() => messages.editMessage(r, message, 'alice', 'changed', T)), 'FORBIDDEN', 'not even an owner edits');
  const edited = messages.editMessage(r, message, 'bob', 'fixed', T + 1);
  assert.deepEqual([edited.text, edited.editedAt], ['fixed', T + 1]);
  assert.equal(messages.editMessage(r, edited, 'bob', 'fixed', T + 2), edited, 'the same text changes nothing');
  r = rooms.join(r, 'carol', T).room;
  assert.equal(codeOf(() => messages.deleteMessage(r, edited, 'carol', T)), 'FORBIDDEN');
  const deleted = messages.deleteMessage(r, messages.addReaction(r, edited, 'carol', '👍'), 'alice', T + 3);
  assert.deepEqual([deleted.seq, deleted.text, deleted.deletedAt, deleted.reactions], [1, '', T + 3, []]);
  assert.equal(messages.deleteMessage(r, deleted, 'bob', T + 4), deleted);
  assert.equal(codeOf(() => messages.editMessage(r, deleted, 'bob', 'back', T)), 'CONFLICT');
  assert.equal(codeOf(() => messages.addReaction(r, deleted, 'bob', '👍')), 'CONFLICT');
});

t.test('messaging service - reactions are sets per reaction, bounded per message', async () => {
  const { room: r0, message } = posted(room(), 'alice', 'react to me');
  const r = rooms.join(r0, 'carol', T).room;
  let m = messages.addReaction(r, message, 'bob', '👍');
  m = messages.addReaction(r, m, 'carol', '👍');
  assert.equal(messages.addReaction(r, m, 'carol', '👍'), m, 'reacting twice changes nothing');
  m = messages.addReaction(r, m, 'bob', ':tada:');
  assert.deepEqual(m.reactions, [{ reaction: '👍', users: ['bob', 'carol'] }, { reaction: ':tada:', users: ['bob'] }]);
  m = messages.removeReaction(r, m, 'bob', '👍');
  m = messages.removeReaction(r, m, 'bob', ':tada:');
  assert.deepEqual(m.reactions, [{ reaction: '👍', users: ['carol'] }]);
  assert.equal(messages.removeReaction(r, m, 'bob', '👍'), m);
  assert.equal(codeOf(() => messages.addReaction(r, m, 'mallory', '👍')), 'FORBIDDEN');
  for (let i = m.reactions.length; i < MESSAGING_LIMITS.reactionsPerMessage; i++) m = messages.addReaction(r, m, 'bob', `r${i}`);
  assert.equal(codeOf(() => messages.addReaction(r, m, 'bob', 'one-more')), 'CONFLICT');
});

t.test('messaging service - read markers move forward only, up to the last message; unread counts what follows', async () => {
  let r = room();
  for (let i = 0; i < 5; i++) r = posted(r, 'alice', 'x').room;
  const read = rooms.markRead(r, 'bob', 3);
  assert.equal(read.member.readSeq, 3);
  assert.equal(rooms.unread(read.member, read.room.lastSeq), 2);
  assert.equal(rooms.markRead(read.room, 'bob', 1).member.readSeq, 3, 'never back');
  assert.equal(rooms.markRead(read.room, 'bob', 99).member.readSeq, 5, 'capped at lastSeq');
  assert.equal(rooms.markRead(read.room, 'bob', 2).room, read.room, 'no change, same state');
  assert.equal(codeOf(() => rooms.markRead(r, 'mallory', 1)), 'FORBIDDEN');
});

t.test('messaging service - the room view shows members, invitations and the asker\'s unread count, to members only', async () => {
  let r = room();
  r = posted(r, 'alice', 'x').room;
  const view = rooms.roomView(r, 'r', 'bob');
  assert.deepEqual(view.members, [{ user: 'alice', role: 'owner' }, { user: 'bob', role: 'member' }]);
  assert.deepEqual(view.invited, ['carol']);
  assert.deepEqual(view.you, { role: 'member', readSeq: 0, unread: 1 });
  assert.equal(codeOf(() => rooms.roomView(r, 'r', 'carol')), 'FORBIDDEN');
});

function stored(count: number): Message[] {
  return Array.from({ length: count }, (_, i) => ({ room: 'r', seq: i + 1, clientId: `c${i + 1}`, author: 'a', text: `m${i + 1}`, createdAt: T, reactions: [] }));
}

/** What the message store returns for a range: the real query's semantics over an array. */
function read(all: Message[], range: ReturnType<typeof historyRange>): Message[] {
  const inRange = all.filter((m) => m.seq > range.above && m.seq < range.below);
  return (range.newestFirst ? inRange.reverse() : inRange).slice(0, range.limit + 1);
}

t.test('messaging service - history cursors: latest, before, after, between — never above lastSeq', async () => {
  assert.deepEqual(historyRange(10, {}), { above: 0, below: 11, newestFirst: true, limit: MESSAGING_LIMITS.historyDefaultLimit });
  assert.deepEqual(historyRange(10, { before: 4, limit: 2 }), { above: 0, below: 4, newestFirst: true, limit: 2 });
  assert.deepEqual(historyRange(10, { after: 4, limit: 2 }), { above: 4, below: 11, newestFirst: false, limit: 2 });
  assert.deepEqual(historyRange(10, { after: 2, before: 50 }), { above: 2, below: 11, newestFirst: false, limit: MESSAGING_LIMITS.historyDefaultLimit });
  assert.equal(isEmptyRange(historyRange(10, { after: 10 })), true);
  assert.equal(isEmptyRange(historyRange(0, {})), true);
  assert.equal(isEmptyRange(historyRange(10, { after: 3, before: 4 })), true);
  const all = stored(12);
  const range = historyRange(10, { limit: 4 });
  const page = historyPage(range, read(all, range), 10);
  assert.deepEqual(page.messages.map((m) => m.seq), [7, 8, 9, 10], 'the latest committed ones, oldest first; 11 and 12 are not committed');
  assert.equal(page.hasMore, true);
  const first = historyPage(historyRange(10, { before: 3, limit: 4 }), read(all, historyRange(10, { before: 3, limit: 4 })), 10);
  assert.deepEqual([first.messages.map((m) => m.seq), first.hasMore], [[1, 2], false]);
  const forward = historyRange(10, { after: 8, limit: 4 });
  assert.deepEqual(historyPage(forward, read(all, forward), 10).messages.map((m) => m.seq), [9, 10]);
});

t.test('messaging service - paging backwards then forwards returns every message exactly once while messages are added', async () => {
  const all = stored(100);
  let lastSeq = 40;
  const seen: number[] = [];
  let range = historyRange(lastSeq, { limit: 7 });
  let page = historyPage(range, read(all, range), lastSeq);
  const newest = page.messages.at(-1)!.seq;
  for (;;) {
    seen.push(...page.messages.map((m) => m.seq));
    lastSeq += 3;
    if (!page.hasMore) break;
    range = historyRange(lastSeq, { before: page.messages[0]!.seq, limit: 7 });
    page = historyPage(range, read(all, range), lastSeq);
  }
  let after = newest;
  for (;;) {
    range = historyRange(lastSeq, { after, limit: 7 });
    page = historyPage(range, read(all, range), lastSeq);
    seen.push(...page.messages.map((m) => m.seq));
    if (page.messages.length > 0) after = page.messages.at(-1)!.seq;
    if (!page.hasMore) break;
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: lastSeq }, (_, i) => i + 1));
});

t.test('messaging service - a history page stops at its size budget', async () => {
  const big = stored(20).map((m) => ({ ...m, text: 'x'.repeat(MESSAGING_LIMITS.textLength) }));
  const range = historyRange(20, { limit: 20 });
  const page = historyPage(range, read(big, range), 20);
  const each = JSON.stringify(big[0]).length;
  assert.equal(page.messages.length, Math.floor(MESSAGING_LIMITS.historyPageChars / each));
  assert.equal(page.hasMore, true);
  assert.deepEqual(page.messages.map((m) => m.seq), Array.from({ length: page.messages.length }, (_, i) => 21 - page.messages.length + i), 'the newest ones, in order');
});

t.test('messaging service - presence: heartbeats every third of the ttl; a dead member is shown leaving within ttl + one heartbeat', async () => {
  assert.deepEqual(presenceTiming(30_000), { ttlMs: 30_000, heartbeatMs: 10_000, leaveWithinMs: 40_000 });
});

t.test('messaging service - the inbox shows role, read marker and unread count; pages by room id', async () => {
  const member = { user: 'bob', role: 'member' as const, joinedAt: T, readSeq: 4 };
  assert.deepEqual(inboxRoom({ room: 'r', kind: 'group', title: 'Room', lastSeq: 9, member }),
    { room: 'r', kind: 'group', title: 'Room', role: 'member', lastSeq: 9, readSeq: 4, unread: 5 });
  assert.equal(nextCursor(['a', 'b', 'c'], 2), 'b');
  assert.equal(nextCursor(['a', 'b'], 2), undefined);
});

t.test('messaging protocol - a direct room id is the same for both orders of the pair, differs per pair, and is a valid entity', async () => {
  const ab = await directRoomId('alice', 'bob');
  assert.equal(ab, await directRoomId('bob', 'alice'));
  assert.notEqual(ab, await directRoomId('alice', 'carol'));
  assert.match(ab, /^dm-[0-9a-f]{32}$/);
  // Documented recipe: SHA-256 of the JSON array of the sorted pair, first 32 hex digits.
  const { createHash } = await import('node:crypto');
  assert.equal(ab, `dm-${createHash('sha256').update('["alice","bob"]').digest('hex').slice(0, 32)}`);
});

t.test('messaging protocol - room and user topics', async () => {
  assert.equal(roomTopic('r-1'), 'room.r-1');
  assert.equal(roomOfTopic('room.r-1'), 'r-1');
  assert.equal(roomOfTopic('room.a.b'), undefined);
  assert.equal(roomOfTopic('user.r-1'), undefined);
  assert.equal(userTopic('alice'), 'user.alice');
  assert.match(userTopic('a.b'), /^user\.=/);
});
