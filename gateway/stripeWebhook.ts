/**
 * POST /webhooks/stripe: Stripe's webhook deliveries, made durable before
 * Stripe is told so.
 *
 *   1. the raw body (at most STRIPE_WEBHOOK_MAX_BODY_BYTES) is verified with
 *      the `Stripe-Signature` header: signature and timestamp age
 *      (SY_STRIPE_WEBHOOK_TOLERANCE_S). A bad signature, a stale timestamp —
 *      which is what a replay of an old delivery is — or a body that is not
 *      an event: 400 WEBHOOK_SIGNATURE_INVALID, nothing published;
 *   2. an event about a PaymentIntent, charge or refund whose metadata names
 *      an order is published as system command `stripe.event` to that
 *      order of the payments actor (protocol/payments/stripeEvents.ts), with
 *      Nats-Msg-Id = the event id, so Stripe's own retries and replays are
 *      dropped by JetStream inside the duplicate window (and by the actor
 *      after it);
 *   3. 200 only after the JetStream ack. Anything not durable (JetStream
 *      down, gateway draining) is a 503, and Stripe delivers it again.
 *
 * Events about anything else are answered 200 and dropped: they can never
 * concern an order, and a non-2xx would make Stripe retry them for days.
 *
 * uWS contracts: onAborted is registered before any await, the signature
 * header is copied out of `req` first, and late writes are skipped when the
 * request was aborted.
 */
import type { HttpRequest, HttpResponse, TemplatedApp } from '@trufflesuite/uws-js-unofficial';
import { toStripeEventCommand, type PaymentWebhookVerifier } from '../integrations/index.js';
import {
  ERROR_CODES, PAYMENTS_ACTOR, STRIPE_EVENT_COMMAND, STRIPE_WEBHOOK_SENDER, epochMillis, orderOfStripeEvent, toErrorBody,
} from '../protocol/index.js';
import { gatewayHttpRequests, paymentsWebhooks, declareWebhookSeries } from '../platform/index.js';
import type { Logger } from '../platform/index.js';
import type { CommandIntake } from './commandIntake.js';
import { readBody, RequestAbortedError, trackAbort } from './httpBody.js';
import { respondJson } from './httpResponse.js';

export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

/** Stripe's event payloads stay far below this; anything larger is not from Stripe. */
export const STRIPE_WEBHOOK_MAX_BODY_BYTES = 256 * 1024;

export interface StripeWebhookDeps {
  verifier: PaymentWebhookVerifier;
  intake: CommandIntake;
  /** SY_HTTP_BODY_TIMEOUT_MS. */
  bodyTimeoutMs: number;
  logger: Logger;
}

type Outcome = 'accepted' | 'duplicate' | 'ignored' | 'refused' | 'unavailable';

export class StripeWebhookEndpoint {
  constructor(private readonly deps: StripeWebhookDeps) {}

  register(app: TemplatedApp): void {
    declareWebhookSeries();
    app.post(STRIPE_WEBHOOK_PATH, (res, req) => this.receive(res, req));
  }

  private receive(res: HttpResponse, req: HttpRequest): void {
    const receivedAt = epochMillis();
    const abort = trackAbort(res);
    const signature = req.getHeader('stripe-signature');
    void (async () => {
      try {
        const body = await readBody(res, STRIPE_WEBHOOK_MAX_BODY_BYTES, abort, this.deps.bodyTimeoutMs);
        const event = this.deps.verifier.verifyWebhook(body, signature === '' ? undefined : signature);
        const command = toStripeEventCommand(event);
        const order = command && orderOfStripeEvent(command);
        if (!command || order === undefined) {
          this.deps.logger.debug({ event: event.id, type: event.type }, 'stripe event concerns no order; dropped');
          this.answer(res, abort.aborted, 'ignored', 200, { received: true, ignored: true });
          return;
        }
        const published = await this.deps.intake.submitSystem({
          id: event.id, actor: PAYMENTS_ACTOR, entity: order, name: STRIPE_EVENT_COMMAND, data: command, sender: STRIPE_WEBHOOK_SENDER, receivedAt,
        });
        this.answer(res, abort.aborted, published.duplicate ? 'duplicate' : 'accepted', 200, { received: true, duplicate: published.duplicate });
      } catch (err) {
        if (err instanceof RequestAbortedError) return;
        const error = toErrorBody(err);
        const status = ERROR_CODES[error.code].http;
        if (error.code === 'INTERNAL') this.deps.logger.error({ err }, 'stripe webhook failed');
        else if (status >= 500) this.deps.logger.warn({ err }, 'stripe webhook not made durable; Stripe will deliver it again');
        this.answer(res, abort.aborted, status >= 500 ? 'unavailable' : 'refused', status, { error }, error.code === 'REQUEST_TIMEOUT');
      }
    })();
  }

  private answer(res: HttpResponse, aborted: () => boolean, outcome: Outcome, status: number, body: unknown, closeConnection = false): void {
    paymentsWebhooks.inc({ outcome });
    gatewayHttpRequests.inc({ route: 'stripe_webhook', status: String(status) });
    respondJson(res, aborted, status, body, {}, closeConnection);
  }
}
