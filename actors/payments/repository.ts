/** payments: where orders (and the reconciler) live — one document per entity in `entities_payments`. */
import { entityRepository } from '../runtime/index.js';
import { initialPaymentsState, type PaymentsState } from './paymentsState.js';

export const PAYMENTS_COLLECTION = 'entities_payments';

export const paymentsRepository = entityRepository<PaymentsState>({
  collection: PAYMENTS_COLLECTION,
  initialState: initialPaymentsState,
});
