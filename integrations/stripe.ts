/**
 * Stripe, through the official `stripe` SDK — the only file that imports it.
 *
 * Two faces, so each process holds only the secret it needs: the
 * PaymentGateway (API calls with the secret key; actor workers) and the
 * PaymentWebhookVerifier (signature checks with the webhook signing secret;
 * the gateway's POST /webhooks/stripe). Both speak the types of
 * paymentGateway.ts, never the SDK's.
 *
 * Retries: the SDK itself retries connection errors, 409 and 5xx up to
 * `maxNetworkRetries` times with the same idempotency key; whatever still
 * fails surfaces as IntegrationError, transient (UNAVAILABLE) or final.
 */
import Stripe from 'stripe';
import type { Config, Logger } from '../platform/index.js';
import { IntegrationError } from './integrationError.js';
import type {
  ChargeRecord, CreatePaymentIntentInput, CreateRefundInput, ListRecentPaymentIntentsInput, PaymentGateway,
  PaymentIntentRecord, PaymentIntentStatus, PaymentWebhookEvent, PaymentWebhookVerifier, RefundRecord, VerifyWebhookOptions,
} from './paymentGateway.js';
import { MAX_LIST_LIMIT } from './paymentGateway.js';
import { measureVendorCall } from './vendorCallMetrics.js';

export interface StripeGatewayOptions {
  /** Secret API key (`sk_…` or a restricted `rk_…`). Required. */
  secretKey: string;
  /** API base URL (scheme, host, optional port); tests point it at stripe-mock. @default 'https://api.stripe.com' */
  apiBase?: string;
  /** Timeout of one HTTP request, ms. @default 20000 */
  timeoutMs?: number;
  /** Retries the SDK makes on connection errors, 409 and 5xx, with the same idempotency key. @default 2 */
  maxNetworkRetries?: number;
  /** Receives one debug line per API call (method, path, status, request id, idempotency key). */
  logger?: Logger;
}

export interface StripeWebhookOptions {
  /** Endpoint signing secret (`whsec_…`). Required. */
  webhookSecret: string;
  /** Largest accepted age of a signature, seconds. @default 300 (Stripe's own default) */
  toleranceS?: number;
  /** Clock in ms, for tests. @default Date.now */
  now?: () => number;
}

/** One API call as the SDK reports it: `request` when sent, `response` when answered. */
export interface StripeApiCall {
  phase: 'request' | 'response';
  method: string;
  path: string;
  /** request: the key sent; response: the key the server echoed back. */
  idempotencyKey: string | undefined;
  status?: number;
  requestId?: string;
}

export const STRIPE_DEFAULTS = {
  apiBase: 'https://api.stripe.com',
  timeoutMs: 20_000,
  maxNetworkRetries: 2,
  toleranceS: 300,
} as const;

/** Stripe's limit on idempotency keys. */
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export class StripePaymentGateway implements PaymentGateway {
  private readonly stripe: Stripe;

  constructor(options: StripeGatewayOptions) {
    if (!options.secretKey) throw new IntegrationError('stripe', 'VENDOR_REJECTED', 'Stripe is not configured: set SY_STRIPE_SECRET_KEY.');
    const base = new URL(options.apiBase ?? STRIPE_DEFAULTS.apiBase);
    const protocol = base.protocol === 'http:' ? 'http' : 'https';
    this.stripe = new Stripe(options.secretKey, {
      host: base.hostname,
      port: base.port || (protocol === 'http' ? 80 : 443),
      protocol,
      timeout: options.timeoutMs ?? STRIPE_DEFAULTS.timeoutMs,
      maxNetworkRetries: options.maxNetworkRetries ?? STRIPE_DEFAULTS.maxNetworkRetries,
      appInfo: { name: 'switchyard' },
    });
    const logger = options.logger;
    if (logger) {
      this.observe((call) => { if (call.phase === 'response') logger.debug({ stripe: call }, 'stripe call'); });
    }
  }

  /** Calls `listener` for every request sent and response received; returns the unsubscribe function. */
  observe(listener: (call: StripeApiCall) => void): () => void {
    const onRequest = (e: Stripe.RequestEvent) => listener({ phase: 'request', method: e.method, path: e.path, idempotencyKey: keyOrUndefined(e.idempotency_key) });
    const onResponse = (e: Stripe.ResponseEvent) => listener({
      phase: 'response', method: e.method, path: e.path, idempotencyKey: keyOrUndefined(e.idempotency_key), status: e.status, requestId: e.request_id,
    });
    this.stripe.on('request', onRequest);
    this.stripe.on('response', onResponse);
    return () => { this.stripe.off('request', onRequest); this.stripe.off('response', onResponse); };
  }

  createPaymentIntent(input: CreatePaymentIntentInput, idempotencyKey: string): Promise<PaymentIntentRecord> {
    return this.call('create_payment_intent', async () => {
      const params: Stripe.PaymentIntentCreateParams = { amount: input.amount, currency: input.currency, metadata: input.metadata };
      if (input.customer !== undefined) params.customer = input.customer;
      if (input.description !== undefined) params.description = input.description;
      return toPaymentIntentRecord(await this.stripe.paymentIntents.create(params, { idempotencyKey: checkedKey(idempotencyKey) }));
    });
  }

  retrievePaymentIntent(id: string): Promise<PaymentIntentRecord> {
    return this.call('retrieve_payment_intent', async () => toPaymentIntentRecord(await this.stripe.paymentIntents.retrieve(id)));
  }

  listRecentPaymentIntents(input: ListRecentPaymentIntentsInput): Promise<PaymentIntentRecord[]> {
    return this.call('list_payment_intents', async () => {
      if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_LIST_LIMIT) {
        throw new IntegrationError('stripe', 'VALIDATION', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}.`);
      }
      const list = this.stripe.paymentIntents.list({
        created: { gte: Math.floor(input.createdAfter.getTime() / 1000) },
        limit: Math.min(input.limit, 100),
      });
      return (await list.autoPagingToArray({ limit: input.limit })).map(toPaymentIntentRecord);
    });
  }

  createRefund(input: CreateRefundInput, idempotencyKey: string): Promise<RefundRecord> {
    return this.call('create_refund', async () => {
      const params: Stripe.RefundCreateParams = { payment_intent: input.paymentIntent };
      if (input.amount !== undefined) params.amount = input.amount;
      if (input.reason !== undefined) params.reason = input.reason;
      if (input.metadata !== undefined) params.metadata = input.metadata;
      return toRefundRecord(await this.stripe.refunds.create(params, { idempotencyKey: checkedKey(idempotencyKey) }));
    });
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return measureVendorCall('stripe', operation, async () => {
      try {
        return await run();
      } catch (err) {
        throw stripeFailure(err);
      }
    });
  }
}

export class StripeWebhookVerifier implements PaymentWebhookVerifier {
  private readonly secret: string;
  private readonly toleranceS: number;
  private readonly now: () => number;

  constructor(options: StripeWebhookOptions) {
    if (!options.webhookSecret) throw new IntegrationError('stripe', 'VENDOR_REJECTED', 'Stripe webhooks are not configured: set SY_STRIPE_WEBHOOK_SECRET.');
    this.secret = options.webhookSecret;
    this.toleranceS = options.toleranceS ?? STRIPE_DEFAULTS.toleranceS;
    this.now = options.now ?? Date.now;
  }

  verifyWebhook(rawBody: Buffer | string, signatureHeader: string | undefined, options: VerifyWebhookOptions = {}): PaymentWebhookEvent {
    if (!signatureHeader) throw signatureFailure('missing_signature');
    const tolerance = options.toleranceS ?? this.toleranceS;
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(rawBody, signatureHeader, this.secret, tolerance, undefined, this.now());
    } catch (err) {
      if ((err as { type?: unknown }).type !== 'StripeSignatureVerificationError') throw signatureFailure('malformed_payload', err);
      // The SDK checks the signature before the timestamp; if the signature
      // holds without the timestamp check, the timestamp was the problem.
      throw signatureFailure(signatureHoldsIgnoringTime(rawBody, signatureHeader, this.secret) ? 'stale_timestamp' : 'bad_signature', err);
    }
    return toWebhookEvent(event);
  }
}

/** The SDK's own test helper: a valid `Stripe-Signature` header for `payload`. For tests and local tools only. */
export function stripeTestSignatureHeader(input: { payload: string; secret: string; timestampS?: number }): string {
  const opts: { payload: string; secret: string; timestamp?: number } = { payload: input.payload, secret: input.secret };
  if (input.timestampS !== undefined) opts.timestamp = input.timestampS;
  return Stripe.webhooks.generateTestHeaderString(opts);
}

export function stripePaymentGatewayFromConfig(config: Config, logger?: Logger): StripePaymentGateway {
  const options: StripeGatewayOptions = {
    secretKey: config.stripeSecretKey,
    apiBase: config.stripeApiBase,
    timeoutMs: config.stripeTimeoutMs,
    maxNetworkRetries: config.stripeMaxNetworkRetries,
  };
  if (logger) options.logger = logger;
  return new StripePaymentGateway(options);
}

export function stripeWebhookVerifierFromConfig(config: Config): StripeWebhookVerifier {
  return new StripeWebhookVerifier({ webhookSecret: config.stripeWebhookSecret, toleranceS: config.stripeWebhookToleranceS });
}

function signatureHoldsIgnoringTime(rawBody: Buffer | string, header: string, secret: string): boolean {
  try {
    return Stripe.webhooks.signature?.verifyHeader(rawBody, header, secret, 0) === true;
  } catch {
    return false;
  }
}

function signatureFailure(reason: 'missing_signature' | 'bad_signature' | 'stale_timestamp' | 'malformed_payload', cause?: unknown): IntegrationError {
  const options: { details: Record<string, unknown>; cause?: unknown } = { details: { reason } };
  if (cause !== undefined) options.cause = cause;
  return new IntegrationError('stripe', 'WEBHOOK_SIGNATURE_INVALID', undefined, options);
}

/** The SDK reports a request without an idempotency key as the string 'undefined'. */
function keyOrUndefined(key: string | undefined): string | undefined {
  return key === undefined || key === 'undefined' ? undefined : key;
}

function checkedKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new IntegrationError('stripe', 'VALIDATION', `An idempotency key of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters is required.`);
  }
  return key;
}

/**
 * Maps an SDK error to a switchyard code. The SDK picks the error class from
 * the HTTP status (402 card, 400/404 invalid request, 401, 403, 429, else API
 * error); connection errors include timeouts.
 */
export function stripeFailure(err: unknown): IntegrationError {
  if (err instanceof IntegrationError) return err;
  const e = err as Partial<Stripe.errors.StripeError> | null;
  const details = definedOnly({ stripeType: e?.type, stripeCode: e?.code, statusCode: e?.statusCode, requestId: e?.requestId });
  const opts = { details, cause: err };
  switch (e?.type) {
    case 'StripeCardError':
      // Stripe writes card messages to be shown to the payer.
      return new IntegrationError('stripe', 'PAYMENT_DECLINED', e.message, { details: { ...details, ...definedOnly({ declineCode: e.decline_code }) }, cause: err });
    case 'StripeRateLimitError':
      return new IntegrationError('stripe', 'UNAVAILABLE', 'Stripe is rate limiting us; the call will be retried.', opts);
    case 'StripeConnectionError':
      return new IntegrationError('stripe', 'UNAVAILABLE', 'Stripe could not be reached (network or timeout); the call will be retried.', opts);
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
      return new IntegrationError('stripe', 'VENDOR_REJECTED', 'Stripe refused our API key or its permissions.', opts);
    case 'StripeIdempotencyError':
      return new IntegrationError('stripe', 'CONFLICT', 'The idempotency key was already used with different parameters.', opts);
    case 'StripeInvalidRequestError':
      if (e.statusCode === 404) return new IntegrationError('stripe', 'NOT_FOUND', e.message, opts);
      return new IntegrationError('stripe', 'VALIDATION', e.message, { details: { ...details, ...definedOnly({ param: e.param }) }, cause: err });
    case 'StripeAPIError':
      if ((e.statusCode ?? 500) >= 500) return new IntegrationError('stripe', 'UNAVAILABLE', 'Stripe had an internal error; the call will be retried.', opts);
      return new IntegrationError('stripe', 'INTERNAL', undefined, opts);
    default:
      return new IntegrationError('stripe', 'INTERNAL', undefined, opts);
  }
}

function definedOnly(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
}

function idOf(ref: string | { id: string } | null | undefined): string | null {
  return ref == null ? null : typeof ref === 'string' ? ref : ref.id;
}

function toPaymentIntentRecord(pi: Stripe.PaymentIntent): PaymentIntentRecord {
  const err = pi.last_payment_error;
  return {
    id: pi.id,
    status: pi.status as PaymentIntentStatus,
    amount: pi.amount,
    amountReceived: pi.amount_received ?? 0,
    currency: pi.currency,
    customer: idOf(pi.customer),
    metadata: { ...pi.metadata },
    created: pi.created,
    clientSecret: pi.client_secret ?? null,
    lastPaymentError: err ? { code: err.code ?? null, declineCode: err.decline_code ?? null, message: err.message ?? null } : null,
    livemode: pi.livemode,
  };
}

function toRefundRecord(r: Stripe.Refund): RefundRecord {
  return {
    id: r.id,
    paymentIntent: idOf(r.payment_intent),
    amount: r.amount,
    currency: r.currency,
    status: r.status ?? null,
    created: r.created,
    metadata: { ...(r.metadata ?? {}) },
  };
}

function toChargeRecord(c: Stripe.Charge): ChargeRecord {
  return {
    id: c.id,
    paymentIntent: idOf(c.payment_intent),
    amount: c.amount,
    amountRefunded: c.amount_refunded,
    refunded: c.refunded,
    currency: c.currency,
    status: c.status,
    metadata: { ...(c.metadata ?? {}) },
  };
}

function toWebhookEvent(event: Stripe.Event): PaymentWebhookEvent {
  const object = (event.data as { object?: { object?: unknown } } | undefined)?.object;
  const objectType = typeof object?.object === 'string' ? object.object : 'unknown';
  const out: PaymentWebhookEvent = {
    id: event.id,
    type: event.type,
    created: event.created,
    livemode: event.livemode,
    apiVersion: event.api_version ?? null,
    objectType,
  };
  if (objectType === 'payment_intent') out.paymentIntent = toPaymentIntentRecord(object as unknown as Stripe.PaymentIntent);
  else if (objectType === 'charge') out.charge = toChargeRecord(object as unknown as Stripe.Charge);
  else if (objectType === 'refund') out.refund = toRefundRecord(object as unknown as Stripe.Refund);
  return out;
}
