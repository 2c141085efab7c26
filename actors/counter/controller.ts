/** counter: the handlers — state and validated data in, a decision out. */
import type { Controller } from '../runtime/index.js';
import * as counter from './service.js';
import type { CounterState } from './service.js';

export const addController: Controller<CounterState, { by: number }> = (state, data) => {
  const next = counter.add(state, data.by);
  return { state: next, result: { value: next.value } };
};

export const getController: Controller<CounterState, unknown> = (state) => ({ result: { value: state.value, applied: state.applied } });
