/** probe: command schemas. */
import Type from 'typebox';
import { commandValidator } from '../runtime/index.js';

const closed = { additionalProperties: false } as const;
const TimerKey = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

export const workValidator = commandValidator(Type.Object({
  ms: Type.Integer({ minimum: 0, maximum: 600_000 }),
  steps: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
}, closed));
export const noDataValidator = commandValidator(Type.Union([Type.Undefined(), Type.Object({}, closed)]));
export const flakyValidator = commandValidator(Type.Object({ failures: Type.Integer({ minimum: 0, maximum: 100 }) }, closed));
export const remindValidator = commandValidator(Type.Object({ key: TimerKey, afterMs: Type.Integer({ minimum: 0, maximum: 86_400_000 }) }, closed));
export const remindedValidator = commandValidator(Type.Object({ key: TimerKey }, closed));
export const tickValidator = commandValidator(Type.Object({ job: Type.String(), tick: Type.Integer() }, closed));
export const announceValidator = commandValidator(Type.Object({ topic: Type.String({ minLength: 1, maxLength: 128 }) }, closed));
export const fragileValidator = commandValidator(Type.Object({ switch: Type.String({ minLength: 1, maxLength: 64 }) }, closed));
