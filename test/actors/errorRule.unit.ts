/**
 * The runtime's one error rule (actors/runtime/commandErrors.ts), on the
 * error classes features and integrations really throw: what is marked
 * retryable is retried, any other coded error is a terminal ok:false result.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { IntegrationError } from '../../integrations/index.js';
import { BusinessError, TransientError, classifyError } from '../../actors/runtime/index.js';

t.test('guarantee 10 - an IntegrationError marked transient is retried; a final one is a result with its code and details', async () => {
  const outage = new IntegrationError('stripe', 'UNAVAILABLE', 'Stripe had an internal error; the call will be retried.');
  assert.equal(outage.transient, true);
  assert.deepEqual(classifyError(outage), { kind: 'transient', reason: 'stripe UNAVAILABLE: Stripe had an internal error; the call will be retried.' });
  const declined = new IntegrationError('stripe', 'PAYMENT_DECLINED', 'Your card was declined.', { details: { declineCode: 'insufficient_funds' } });
  assert.deepEqual(classifyError(declined), {
    kind: 'business', error: { code: 'PAYMENT_DECLINED', message: 'Your card was declined.', details: { declineCode: 'insufficient_funds' } },
  });
});

t.test('guarantee 10 - any error marked retryable is retried, even with a code; unmarked coded errors are terminal', async () => {
  const marked = Object.assign(new Error('try again later'), { code: 'UNAVAILABLE', retryable: true });
  assert.equal(classifyError(marked).kind, 'transient');
  assert.equal(classifyError(new TransientError('lost the connection')).kind, 'transient');
  assert.equal(classifyError(new Error('a bug')).kind, 'transient');
  assert.equal(classifyError(new BusinessError('UNAVAILABLE', 'closed for the day')).kind, 'business');
  assert.equal(classifyError(Object.assign(new Error('no'), { code: 'FORBIDDEN', transient: false })).kind, 'business');
});
