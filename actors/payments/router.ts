/** payments: command name → validator → controller, and who may send each. */
import { STRIPE_EVENT_COMMAND, SYSTEM_COMMAND_ORIGIN } from '../../protocol/index.js';
import { defineRouter, route } from '../runtime/index.js';
import { checkoutController, getController, ledgerController, refundController } from './controller.js';
import type { PaymentsDeps } from './dependencies.js';
import { reconcileController, stripeEventController } from './eventController.js';
import { notifyController } from './notifyController.js';
import { NOTIFY_COMMAND } from './orderDecision.js';
import type { PaymentsState } from './paymentsState.js';
import { RECONCILE_COMMAND } from './reconcileCommands.js';
import { reconcileTickController } from './reconcilerController.js';
import {
  checkoutValidator, getValidator, ledgerValidator, notifyValidator, reconcileTickValidator, reconcileValidator, refundValidator, stripeEventValidator,
} from './validator.js';

export const RECONCILE_TICK_COMMAND = 'reconcile.tick';

export const paymentsRouter = defineRouter<PaymentsState, PaymentsDeps>({
  checkout: route(checkoutValidator, checkoutController),
  refund: route(refundValidator, refundController),
  get: route(getValidator, getController),
  ledger: route(ledgerValidator, ledgerController),
  [STRIPE_EVENT_COMMAND]: route(stripeEventValidator, stripeEventController, { origins: [SYSTEM_COMMAND_ORIGIN] }),
  [RECONCILE_COMMAND]: route(reconcileValidator, reconcileController, { origins: [SYSTEM_COMMAND_ORIGIN] }),
  [RECONCILE_TICK_COMMAND]: route(reconcileTickValidator, reconcileTickController, { origins: ['cron'] }),
  [NOTIFY_COMMAND]: route(notifyValidator, notifyController, { origins: ['timer'] }),
});
