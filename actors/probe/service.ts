/** probe: domain logic — an entity remembers what happened to it, in order. */

export interface ProbeState {
  /** Command ids in the order they were applied (most recent 200). */
  log: string[];
  /** Cron tick times applied (most recent 500). */
  ticks: number[];
  /** Timer key → how many times it fired. */
  reminders: Record<string, number>;
}

const LOG_MEMORY = 200;
const TICK_MEMORY = 500;

export function initialProbe(): ProbeState {
  return { log: [], ticks: [], reminders: {} };
}

export function record(state: ProbeState, commandId: string): ProbeState {
  return { ...state, log: [...state.log, commandId].slice(-LOG_MEMORY) };
}

export function tick(state: ProbeState, at: number): ProbeState {
  return { ...state, ticks: [...state.ticks, at].slice(-TICK_MEMORY) };
}

export function reminded(state: ProbeState, key: string): ProbeState {
  return { ...state, reminders: { ...state.reminders, [key]: (state.reminders[key] ?? 0) + 1 } };
}
