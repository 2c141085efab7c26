/**
 * counter: the smallest actor — the walking skeleton's, the guarantee
 * tests' and the benchmarks' "trivial handler". `add {by}` adds and answers
 * the new value; `get` answers value and applied count.
 */
import { defineActor } from '../runtime/index.js';
import { counterRepository } from './repository.js';
import { counterRouter } from './router.js';

export const counterActor = defineActor({
  name: 'counter',
  repository: counterRepository,
  router: counterRouter,
});
