/**
 * crypto: on-chain payments of orders (entity = order id) in ETH or an
 * ERC-20, detected by a chain watcher that runs once across the cluster,
 * confirmed after SY_CRYPTO_CONFIRMATIONS blocks and credited exactly once,
 * reorgs included. See README.md in this folder. Runs where
 * SY_CRYPTO_RPC_URL and SY_CRYPTO_XPUB are set.
 */
import { CRYPTO_ACTOR } from '../../protocol/index.js';
import { defineActor } from '../runtime/index.js';
import { WATCHER_ENTITY } from './cryptoState.js';
import { cryptoDependencies } from './dependencies.js';
import { cryptoRepository } from './repository.js';
import { WATCH_TICK_COMMAND, cryptoRouter } from './router.js';
import { WATCH_TICK_MS } from './watcherController.js';

export const cryptoActor = defineActor({
  name: CRYPTO_ACTOR,
  repository: cryptoRepository,
  router: cryptoRouter,
  dependencies: cryptoDependencies,
  cron: [{ name: 'watch', everyMs: WATCH_TICK_MS, entity: WATCHER_ENTITY, command: WATCH_TICK_COMMAND, missed: 'fire-latest' }],
  enabled: (config) => config.cryptoRpcUrl !== '' && config.cryptoXpub !== '',
});

export { CRYPTO_COLLECTION } from './repository.js';
export { CRYPTO_LEDGER_COLLECTION, CryptoLedgerStore } from './cryptoLedgerStore.js';
export { DEPOSIT_ADDRESS_COLLECTION } from './depositAddressIndex.js';
export { WATCHER_ENTITY } from './cryptoState.js';
export type { CryptoOrderState, WatcherState } from './cryptoState.js';
export { isCryptoEntryBalanced } from './ledgerService.js';
export { CRYPTO_CONFIG } from './config.js';
