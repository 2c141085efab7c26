/** crypto: where orders (and the chain watcher) live — one document per entity in `entities_crypto`. */
import { entityRepository } from '../runtime/index.js';
import { initialCryptoState, type CryptoState } from './cryptoState.js';

export const CRYPTO_COLLECTION = 'entities_crypto';

export const cryptoRepository = entityRepository<CryptoState>({ collection: CRYPTO_COLLECTION, initialState: initialCryptoState });
