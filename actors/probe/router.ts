/** probe: command name → validator → controller. */
import { defineRouter, route } from '../runtime/index.js';
import * as c from './controller.js';
import * as v from './validator.js';
import type { ProbeState } from './service.js';
import type { ProbeDeps } from './repository.js';

export const probeRouter = defineRouter<ProbeState, ProbeDeps>({
  work: route(v.workValidator, c.workController),
  note: route(v.noDataValidator, c.noteController),
  fail: route(v.noDataValidator, c.failController),
  flaky: route(v.flakyValidator, c.flakyController),
  remind: route(v.remindValidator, c.remindController),
  reminded: route(v.remindedValidator, c.remindedController, { origins: ['timer'] }),
  tick: route(v.tickValidator, c.tickController, { origins: ['cron'] }),
  announce: route(v.announceValidator, c.announceController),
  fragile: route(v.fragileValidator, c.fragileController),
});
