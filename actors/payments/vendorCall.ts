/**
 * payments: how a vendor failure reaches the runtime. An IntegrationError
 * marked transient (rate limit, 5xx, network, timeout) becomes a
 * TransientError, so the runtime retries the command with backoff (same
 * command key, hence the same Stripe idempotency key) and dead-letters it
 * after the last attempt; any other IntegrationError is final and becomes a
 * BusinessError with the same code — an ok:false result, not retried.
 */
import { IntegrationError } from '../../integrations/index.js';
import { BusinessError, TransientError } from '../runtime/index.js';

export async function vendorCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof IntegrationError)) throw err;
    if (err.transient) throw new TransientError(`${err.vendor}: ${err.message}`, { cause: err });
    throw new BusinessError(err.code, err.message, err.details === undefined ? { cause: err } : { details: err.details, cause: err });
  }
}
