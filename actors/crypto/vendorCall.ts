/**
 * crypto: how a vendor failure (the chain node) reaches the runtime: a
 * transient IntegrationError becomes a TransientError (retried with
 * backoff, then dead-lettered), any other one a BusinessError with its code.
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
