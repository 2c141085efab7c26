/**
 * probe: handlers that exercise the runtime — long work with progress and
 * cancel, failures (always, or the first N attempts), timers, cron ticks,
 * topic and domain events.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TransientError, type Controller } from '../runtime/index.js';
import * as probe from './service.js';
import type { ProbeState } from './service.js';
import type { ProbeDeps } from './repository.js';

export const workController: Controller<ProbeState, { ms: number; steps?: number }> = async (state, data, ctx) => {
  const steps = data.steps ?? 1;
  const startedAt = Date.now();
  for (let step = 1; step <= steps; step++) {
    await sleep(data.ms / steps, undefined, { signal: ctx.signal });
    ctx.progress({ step, of: steps });
  }
  return { state: probe.record(state, ctx.commandId), result: { steps, startedAt, endedAt: Date.now(), attempt: ctx.attempt } };
};

export const noteController: Controller<ProbeState, unknown> = (state, _data, ctx) => {
  const next = probe.record(state, ctx.commandId);
  return { state: next, result: { position: next.log.length } };
};

export const failController: Controller<ProbeState, unknown> = () => {
  throw new Error('probe: this command always fails');
};

export const flakyController: Controller<ProbeState, { failures: number }> = (state, data, ctx) => {
  if (ctx.attempt <= data.failures) throw new TransientError(`probe: failing attempt ${ctx.attempt} of ${data.failures}`);
  return { state: probe.record(state, ctx.commandId), result: { attempts: ctx.attempt } };
};

export const remindController: Controller<ProbeState, { key: string; afterMs: number }> = (state, data, ctx) => ({
  state: probe.record(state, ctx.commandId),
  result: { due: ctx.now + data.afterMs },
  setTimers: [{ key: data.key, name: 'reminded', afterMs: data.afterMs, data: { key: data.key } }],
});

export const remindedController: Controller<ProbeState, { key: string }> = (state, data) => ({ state: probe.reminded(state, data.key) });

export const tickController: Controller<ProbeState, { job: string; tick: number }> = (state, data) => ({ state: probe.tick(state, data.tick) });

export const announceController: Controller<ProbeState, { topic: string }> = (state, data, ctx) => ({
  state: probe.record(state, ctx.commandId),
  result: { announced: true },
  events: [{ topic: data.topic, name: 'announced', data: { by: ctx.user, command: ctx.commandId } }],
  domainEvents: [{ name: 'announced', data: { entity: ctx.entity, command: ctx.commandId } }],
});

/** Fails (transiently) while the switch is on: dead-letter it, turn the switch off, replay it. */
export const fragileController: Controller<ProbeState, { switch: string }, ProbeDeps> = async (state, data, ctx) => {
  if (await ctx.deps.switches.isOn(data.switch)) throw new TransientError(`probe: switch ${data.switch} is on`);
  return { state: probe.record(state, ctx.commandId), result: { attempts: ctx.attempt } };
};
