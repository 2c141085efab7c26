/** counter: command name → validator → controller. */
import { defineRouter, route } from '../runtime/index.js';
import { addController, getController } from './controller.js';
import { addValidator, getValidator } from './validator.js';
import type { CounterState } from './service.js';

export const counterRouter = defineRouter<CounterState>({
  add: route(addValidator, addController),
  get: route(getValidator, getController),
});
