/**
 * The messaging feature's settings (platform/config.ts: how sections
 * compose; registered in actors/registry.ts).
 */
import Type from 'typebox';
import { defineConfigSection, field, type SectionValues } from '../../platform/index.js';

const FIELDS = {
  presenceTtlMs: field('SY_PRESENCE_TTL_MS', Type.Integer({ default: 30000, minimum: 1000, maximum: 3600000, description: 'Messaging presence: a member counts as online this long after their last presence.heartbeat; clients send one every third of it, and a member whose socket died is shown leaving within 4/3 of it.' })),
} as const;

export const MESSAGING_CONFIG = defineConfigSection('messaging', 'actors/messaging', FIELDS);

declare module '../../platform/config.js' {
  interface Config extends SectionValues<typeof FIELDS> {}
}
