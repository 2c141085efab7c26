/**
 * payments: what a change of an order publishes, decided with the change so
 * the runtime commits it in the same write (outbox):
 *
 * - every change: an `event` frame `payments.order` with the new view on the
 *   payer's topic `user.<payer>` (every session of the payer that joined it);
 * - every status entered: the domain event `evt.payments.<status>`, and for
 *   succeeded, failed and refunds a team notice — a timer due at once whose
 *   `notify` command posts it, apart from this commit.
 *
 * A change can enter two statuses at once when events arrive out of order
 * (a refund reported before the success): both are published, success first.
 */
import { PAYMENTS_ORDER_EVENT, paymentsUserTopic, type OrderStatus, type PaymentsStatusChanged } from '../../protocol/index.js';
import type { Decision, DomainEvent, TimerRequest } from '../runtime/index.js';
import { NOTIFIED_STATUSES, noticeOf, noticeTimerKey } from './noticeService.js';
import { orderView, type OrderChange } from './orderService.js';
import type { PaymentsState } from './paymentsState.js';

export const NOTIFY_COMMAND = 'notify';

/** The statuses `change` entered, in the order they happened. */
export function enteredStatuses(change: OrderChange): OrderStatus[] {
  const { state } = change;
  if (!change.changed || state.status === 'none') return [];
  const entered: OrderStatus[] = [];
  if (state.phase !== change.previousPhase && state.phase !== state.status && change.previous !== state.phase) entered.push(state.phase);
  if (state.status !== change.previous) entered.push(state.status);
  return entered;
}

export function orderDecision(order: string, change: OrderChange, result: unknown): Decision<PaymentsState> {
  if (!change.changed) return { result };
  const { state } = change;
  const view = orderView(order, state);
  const decision: Decision<PaymentsState> = {
    state,
    result,
    events: [{ topic: paymentsUserTopic(state.owner), name: PAYMENTS_ORDER_EVENT, data: view }],
  };
  const domainEvents: DomainEvent[] = [];
  const timers: TimerRequest[] = [];
  let previous: OrderStatus | null = change.previous === 'none' ? null : change.previous;
  for (const status of enteredStatuses(change)) {
    const data: PaymentsStatusChanged = { order: { ...view, status }, user: state.owner, previous };
    domainEvents.push({ name: status, data });
    if (NOTIFIED_STATUSES.has(status)) timers.push({ key: noticeTimerKey(state.version, status), name: NOTIFY_COMMAND, afterMs: 0, data: noticeOf({ ...view, status }) });
    previous = status;
  }
  if (domainEvents.length > 0) decision.domainEvents = domainEvents;
  if (timers.length > 0) decision.setTimers = timers;
  return decision;
}
