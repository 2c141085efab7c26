/** counter: where counters live — one document per counter in `entities_counter`. */
import { entityRepository } from '../runtime/index.js';
import { initialCounter, type CounterState } from './service.js';

export const counterRepository = entityRepository<CounterState>({
  collection: 'entities_counter',
  initialState: initialCounter,
});
