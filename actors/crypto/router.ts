/** crypto: command name → validator → controller, and who may send each. */
import { CHAIN_TRANSFER_COMMAND, SYSTEM_COMMAND_ORIGIN } from '../../protocol/index.js';
import { defineRouter, route } from '../runtime/index.js';
import { checkoutController, expireController, getController, ledgerController, notifyController, transferController } from './controller.js';
import type { CryptoState } from './cryptoState.js';
import type { CryptoDeps } from './dependencies.js';
import { EXPIRE_COMMAND, NOTIFY_COMMAND } from './orderDecision.js';
import {
  checkoutValidator, expireValidator, getValidator, ledgerValidator, notifyValidator, transferValidator, watchTickValidator,
} from './validator.js';
import { watchTickController } from './watcherController.js';

export const WATCH_TICK_COMMAND = 'watch.tick';

export const cryptoRouter = defineRouter<CryptoState, CryptoDeps>({
  checkout: route(checkoutValidator, checkoutController),
  get: route(getValidator, getController),
  ledger: route(ledgerValidator, ledgerController),
  [CHAIN_TRANSFER_COMMAND]: route(transferValidator, transferController, { origins: [SYSTEM_COMMAND_ORIGIN] }),
  [WATCH_TICK_COMMAND]: route(watchTickValidator, watchTickController, { origins: ['cron'] }),
  [EXPIRE_COMMAND]: route(expireValidator, expireController, { origins: ['timer'] }),
  [NOTIFY_COMMAND]: route(notifyValidator, notifyController, { origins: ['timer'] }),
});
