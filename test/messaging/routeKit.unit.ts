/**
 * The controller test kit (actors/runtime/testing.ts) running the messaging
 * room's routes without servers: schema, rules, controller and the events
 * the decision commits, in milliseconds. The side collections are in-memory
 * stand-ins handed in as ctx.deps.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { roomActor } from '../../actors/messaging/index.js';
import type { MessagingDeps } from '../../actors/messaging/dependencies.js';
import { testEntity } from '../../actors/runtime/testing.js';

function inMemoryDeps(): { deps: MessagingDeps; memberships: Array<{ room: string; users: string[]; active: boolean }> } {
  const memberships: Array<{ room: string; users: string[]; active: boolean }> = [];
  const deps = { memberships: { record: async (room: string, users: string[], active: boolean) => { memberships.push({ room, users, active }); } } };
  return { deps: deps as unknown as MessagingDeps, memberships };
}

t.test('controller test kit - a messaging room is created, a member invited, and a stranger refused, without servers', async () => {
  const { deps, memberships } = inMemoryDeps();
  const room = testEntity(roomActor, 'room-kit', { deps });
  const created = await room.send('create', { title: 'Ops' }, { user: 'ann' });
  assert.ok(created.ok, JSON.stringify(created));
  assert.deepEqual(created.decision.events?.map((e) => e.name), ['room.created', 'member.joined']);
  assert.deepEqual(memberships, [{ room: 'room-kit', users: ['ann'], active: true }], 'the controller wrote the membership index through ctx.deps');
  const invited = await room.send('invite', { user: 'bob' }, { user: 'ann' });
  assert.deepEqual(invited.ok && invited.result, { user: 'bob', invited: true });
  const refused = await room.send('invite', { user: 'eve' }, { user: 'mallory' });
  assert.equal(!refused.ok && refused.error.code, 'FORBIDDEN', 'a non-member cannot invite');
  const invalid = await room.send('create', { title: 42 }, { user: 'ann' });
  assert.equal(!invalid.ok && invalid.error.code, 'VALIDATION', 'the route\'s schema runs first');
  const unknown = await room.send('no.such.command', {}, { user: 'ann' });
  assert.equal(!unknown.ok && unknown.error.code, 'VALIDATION');
});
