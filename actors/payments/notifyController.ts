/**
 * payments: posting a team notice (Discord) — a `notify` command the order
 * sent itself with a timer due at once, in the commit that changed its
 * status. The payment is committed and pushed before this runs; a failure
 * here only concerns the notice:
 *
 * - Discord rate limits are waited out inside the Notifier (429
 *   `retry_after`, within SY_DISCORD_TIMEOUT_MS);
 * - a transient failure (outage, longer rate limit) is retried by the
 *   runtime with backoff and dead-lettered after the last attempt;
 * - a final one (deleted webhook, wrong token) is refused and logged: an
 *   operator must fix the configuration.
 *
 * While a notice is being retried, later commands of the same order wait
 * behind it (the runtime retries in place to keep per-entity order); the
 * wait is bounded by the route's attempts × SY_DISCORD_TIMEOUT_MS plus backoff.
 */
import { paymentsNotifications } from './metrics.js';
import { classifyError, type Controller } from '../runtime/index.js';
import type { PaymentsDeps } from './dependencies.js';
import { notificationMessage, type Notice } from './noticeService.js';
import type { PaymentsState } from './paymentsState.js';

export const notifyController: Controller<PaymentsState, Notice, PaymentsDeps> = async (_state, notice, ctx) => {
  try {
    const receipt = await ctx.deps.notifier.notify(notificationMessage(notice), ctx.key);
    paymentsNotifications.inc({ outcome: receipt.delivered ? 'delivered' : 'skipped' });
    return { result: receipt };
  } catch (err) {
    const refused = classifyError(err).kind === 'business';
    paymentsNotifications.inc({ outcome: refused ? 'refused' : 'failed' });
    if (refused) ctx.log.error({ err, status: notice.status }, 'payment notification refused; fix the notification settings (SY_DISCORD_*)');
    throw err;
  }
};
