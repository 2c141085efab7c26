/** counter: the domain logic, pure functions of state and input. */

export interface CounterState {
  value: number;
  /** How many `add` commands were applied: with `by: 1` each result's value is its position, so tests can check order. */
  applied: number;
}

export function initialCounter(): CounterState {
  return { value: 0, applied: 0 };
}

export function add(state: CounterState, by: number): CounterState {
  return { value: state.value + by, applied: state.applied + 1 };
}

export function fitsSafely(state: CounterState, by: number): boolean {
  return Number.isSafeInteger(state.value + by);
}
