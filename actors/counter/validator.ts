/** counter: command schemas (compiled once) and business rules. */
import Type from 'typebox';
import { BusinessError, commandValidator } from '../runtime/index.js';
import { fitsSafely, type CounterState } from './service.js';

export const addValidator = commandValidator(
  Type.Object({ by: Type.Integer({ minimum: -1_000_000_000, maximum: 1_000_000_000 }) }, { additionalProperties: false }),
  (data, state: CounterState) => {
    if (!fitsSafely(state, data.by)) throw new BusinessError('CONFLICT', 'The counter would leave the safe integer range.');
  },
);

export const getValidator = commandValidator(Type.Union([Type.Undefined(), Type.Object({}, { additionalProperties: false })]));
