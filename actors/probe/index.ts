/**
 * probe: an actor that exercises the runtime for the guarantee tests and
 * benchmarks — long work, failures, timers, a cron job ticking every second
 * on entity `clock`. Runs only where SY_PROBE_ACTOR=true (never in production).
 */
import { defineActor } from '../runtime/index.js';
import { SwitchRepository, probeRepository } from './repository.js';
import { probeRouter } from './router.js';

export const probeActor = defineActor({
  name: 'probe',
  repository: probeRepository,
  router: probeRouter,
  dependencies: ({ db }) => ({ switches: new SwitchRepository(db) }),
  cron: [{ name: 'clock', everyMs: 1000, entity: 'clock', command: 'tick' }],
  enabled: (config) => config.probeActor,
});
