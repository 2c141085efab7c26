/**
 * Plays the parts of a payment that stripe-mock cannot, for the local demo:
 * the payer confirming the PaymentIntent in the browser (Stripe.js) and
 * Stripe telling the gateway about it by webhook. stripe-mock is stateless
 * and sends no webhooks, so without this an order of the local stack would
 * stay `created` forever.
 *
 * `POST /confirm {order, paymentIntent, amount, currency, outcome?}` sends
 * the gateway's `POST /webhooks/stripe` the events Stripe would send —
 * `payment_intent.processing`, then `payment_intent.succeeded` (or
 * `payment_intent.payment_failed` for `outcome: "failed"`) — signed with the
 * local webhook secret, and answers what the gateway said. Loopback only,
 * CORS open (the demo page is served from the gateway's origin). A
 * development tool: it can make any order of the local stack look paid.
 */
import { createServer } from 'node:http';
import { stripeTestSignatureHeader } from '../../integrations/index.js';
import { readBody, reply } from './loopbackHttp.js';
import { paymentIntentObject, stripeEventPayload } from './stripeEventPayloads.js';

export interface LocalPaymentConfirmerOptions {
  /** stripe-mock's API base: the PaymentIntent fixture the events are built on comes from there. */
  stripeMockUrl: string;
  stripeSecretKey: string;
  /** The secret the gateway verifies webhooks with (SY_STRIPE_WEBHOOK_SECRET). */
  webhookSecret: string;
}

export interface LocalPaymentConfirmer {
  /** `http://127.0.0.1:<port>/confirm`, for the demo's config. */
  confirmUrl: string;
  /** Where webhooks go: the gateway's HTTP base (known only once it runs). */
  deliverTo(gatewayHttpUrl: string): void;
  stop(): Promise<void>;
}

interface ConfirmRequest {
  order: string;
  paymentIntent: string;
  amount: number;
  currency: string;
  outcome: 'succeeded' | 'failed';
}

const ORDER_ID = /^[A-Za-z0-9_:@=+-]{1,128}$/;

function parseConfirm(body: string): ConfirmRequest | string {
  let raw: Partial<ConfirmRequest>;
  try { raw = JSON.parse(body) as Partial<ConfirmRequest>; } catch { return 'body is not JSON'; }
  if (typeof raw.order !== 'string' || !ORDER_ID.test(raw.order)) return 'order must be an order id';
  if (typeof raw.paymentIntent !== 'string' || raw.paymentIntent === '') return 'paymentIntent is required';
  if (!Number.isInteger(raw.amount) || raw.amount! < 1) return 'amount must be a positive integer';
  if (typeof raw.currency !== 'string' || !/^[a-z]{3}$/.test(raw.currency)) return 'currency must be a lower-case ISO code';
  return { order: raw.order, paymentIntent: raw.paymentIntent, amount: raw.amount!, currency: raw.currency, outcome: raw.outcome === 'failed' ? 'failed' : 'succeeded' };
}

export async function startLocalPaymentConfirmer(options: LocalPaymentConfirmerOptions): Promise<LocalPaymentConfirmer> {
  const fixture = await fetch(`${options.stripeMockUrl}/v1/payment_intents/pi_fixture`, { headers: { authorization: `Bearer ${options.stripeSecretKey}` } });
  if (!fixture.ok) throw new Error(`stripe-mock did not serve its PaymentIntent fixture (${fixture.status})`);
  const template = (await fixture.json()) as Record<string, unknown>;
  let gateway: string | undefined;

  const deliver = async (c: ConfirmRequest, type: string, status: string, amountReceived: number) => {
    const object = paymentIntentObject(template, c.order, { id: c.paymentIntent, status, amount: c.amount, currency: c.currency, amountReceived });
    const payload = stripeEventPayload(`evt_local_${c.order}_${type.replace(/\W/g, '_')}`, type, object);
    const res = await fetch(`${gateway}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': stripeTestSignatureHeader({ payload, secret: options.webhookSecret }) },
      body: payload,
    });
    return { type, status: res.status, body: (await res.json()) as unknown };
  };

  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') return reply(res, 204, {});
    if (req.method !== 'POST' || req.url !== '/confirm') return reply(res, 404, { error: 'POST /confirm only' });
    void readBody(req).then(async (body) => {
      const c = parseConfirm(body);
      if (typeof c === 'string') return reply(res, 400, { error: c });
      if (!gateway) return reply(res, 503, { error: 'no gateway yet' });
      const delivered = [await deliver(c, 'payment_intent.processing', 'processing', 0)];
      delivered.push(c.outcome === 'failed'
        ? await deliver(c, 'payment_intent.payment_failed', 'requires_payment_method', 0)
        : await deliver(c, 'payment_intent.succeeded', 'succeeded', c.amount));
      reply(res, delivered.every((d) => d.status === 200) ? 200 : 502, { delivered });
    }).catch((err: unknown) => reply(res, 502, { error: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    confirmUrl: `http://127.0.0.1:${port}/confirm`,
    deliverTo: (url) => { gateway = url; },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
