/**
 * messaging: what the room actor's controllers get as ctx.deps, built once
 * per worker: the side collections (with their indexes), presence in Redis
 * and the ephemeral push publisher.
 */
import { connectRedis } from '../../platform/index.js';
import type { ActorPlatform } from '../runtime/index.js';
import { EphemeralPushes } from './ephemeralPushes.js';
import { MembershipIndex } from './membershipIndex.js';
import { MessageStore } from './messageStore.js';
import { PresenceStore } from './presenceStore.js';

export interface MessagingDeps {
  messages: MessageStore;
  memberships: MembershipIndex;
  presence: PresenceStore;
  ephemeral: EphemeralPushes;
}

export async function messagingDependencies(platform: ActorPlatform): Promise<MessagingDeps> {
  const messages = new MessageStore(platform.db);
  const memberships = new MembershipIndex(platform.db);
  await messages.ensureIndexes();
  await memberships.ensureIndexes();
  // The runtime does not hand features its Redis connection (ActorPlatform has none), so presence opens its own.
  const redis = await connectRedis(platform.config, `messaging ${platform.config.nodeId}`);
  return {
    messages,
    memberships,
    presence: new PresenceStore(redis, platform.config.presenceTtlMs),
    ephemeral: new EphemeralPushes(platform.nc),
  };
}
