/**
 * What the payments tests share: a stack whose workers call stripe-mock
 * through a recording proxy and notify a local Discord webhook server, a
 * payer speaking the WebSocket protocol through the gateway, Stripe webhook
 * deliveries signed with the SDK's own test helper, and reads of the
 * order, its ledger and the domain events.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { startStripeMock, type ServerProcess } from '../../deploy/local/servers.js';
import { paymentIntentObject as paymentIntentObjectOn, stripeEventPayload, type PaymentIntentFacts } from '../../deploy/local/stripeEventPayloads.js';
import { stripeTestSignatureHeader } from '../../integrations/index.js';
import { STREAMS, paymentsUserTopic, type DomainEventBody, type LedgerEntryView, type OrderView } from '../../protocol/index.js';
import { LEDGER_COLLECTION, LedgerStore, PAYMENTS_COLLECTION, isBalanced } from '../../actors/payments/index.js';
import type { OrderState } from '../../actors/payments/paymentsState.js';
import { decodeStoredList } from '../../actors/runtime/entityStore.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { startStripeMockProxy, type StripeMockProxy } from '../harness/stripeMockProxy.js';
import { startDiscordWebhookServer, type DiscordWebhookServer } from '../harness/discordWebhookServer.js';
import { WsTestClient, type Frame } from '../harness/wsTestClient.js';
import { eventually } from '../harness/commandDriver.js';

export { eventually };

export const WEBHOOK_SECRET = 'whsec_switchyard_payments_test';

export interface PaymentsFixture {
  stack: Stack;
  stripeMock: ServerProcess & { url: string };
  stripe: StripeMockProxy;
  discord: DiscordWebhookServer;
  mongo: MongoClient;
  db: Db;
  nc: NatsConnection;
  /** A Stripe PaymentIntent as stripe-mock serves it, the template of webhook payloads. */
  paymentIntentFixture: Record<string, unknown>;
  chargeFixture: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startPaymentsFixture(options: { workers: number; env?: Record<string, string> }): Promise<PaymentsFixture> {
  const stripeMock = await startStripeMock();
  const stripe = await startStripeMockProxy(stripeMock.url);
  const discord = await startDiscordWebhookServer();
  const stack = await startStack({
    gateways: 1,
    workers: options.workers,
    env: {
      SY_STRIPE_SECRET_KEY: 'sk_test_switchyard',
      SY_STRIPE_API_BASE: stripe.url,
      SY_STRIPE_MAX_NETWORK_RETRIES: '0',
      SY_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SY_DISCORD_WEBHOOK_URL: discord.webhookUrl,
      SY_DISCORD_API_BASE: discord.apiBase,
      SY_DISCORD_TIMEOUT_MS: '3000',
      SY_ACTOR_RETRY_BASE_MS: '100',
      SY_ACTOR_RETRY_MAX_MS: '500',
      ...options.env,
    },
  });
  const mongo = await MongoClient.connect(stack.env.MONGODB_URI!);
  const nc = await connect({ servers: stack.env.NATS_URL! });
  const fixture = async (path: string) => (await (await fetch(`${stripeMock.url}${path}`, { headers: { authorization: 'Bearer sk_test_switchyard' } })).json()) as Record<string, unknown>;
  return {
    stack, stripeMock, stripe, discord, mongo, db: mongo.db('switchyard'), nc,
    paymentIntentFixture: await fixture('/v1/payment_intents/pi_fixture'),
    chargeFixture: await fixture('/v1/charges/ch_fixture'),
    async stop() {
      await nc.close().catch(() => {});
      await mongo.close().catch(() => {});
      await stack.stop();
      await Promise.all([stripe.stop(), discord.stop(), stripeMock.stop()]);
    },
  };
}

export function uniqueOrder(name: string): string {
  return `o-${name}-${randomBytes(4).toString('hex')}`;
}

/** A user's WebSocket session through the gateway, joined to the user's own topic `user.<id>` (payment pushes). */
export class Payer {
  private next = 0;

  private constructor(readonly user: string, readonly client: WsTestClient) {}

  static async connect(stack: Stack, user: string): Promise<Payer> {
    const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token(user));
    const topic = paymentsUserTopic(user);
    client.send({ type: 'sub', topic });
    await client.next((f) => f.type === 'subscribed' && f.topic === topic);
    return new Payer(user, client);
  }

  /** Sends a payments command; resolves with its result frame (after `accepted`). */
  async send(order: string, name: string, data?: unknown, id = `c${++this.next}-${randomBytes(3).toString('hex')}`): Promise<Frame & { ok: boolean; data?: any; error?: any }> {
    this.client.send({ type: 'cmd', id, actor: 'payments', entity: order, name, ...(data === undefined ? {} : { data }) });
    const answer = await this.client.next((f) => (f.type === 'accepted' || f.type === 'rejected') && f.id === id);
    assert.equal(answer.type, 'accepted', JSON.stringify(answer));
    return await this.client.next((f) => f.type === 'result' && f.id === id, 60_000) as Frame & { ok: boolean; data?: any; error?: any };
  }

  /** Every `payments.order` push about `order` received so far, in arrival order. */
  orderPushes(order: string): OrderView[] {
    return this.client.all((f) => f.type === 'event' && f.name === 'payments.order' && (f.data as OrderView).order === order).map((f) => f.data as OrderView);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export { stripeEventPayload };

export function paymentIntentObject(f: PaymentsFixture, order: string, pi: PaymentIntentFacts): Record<string, unknown> {
  return paymentIntentObjectOn(f.paymentIntentFixture, order, pi);
}

export function chargeObject(f: PaymentsFixture, order: string, c: { paymentIntent: string; amount: number; amountRefunded: number; currency?: string }): Record<string, unknown> {
  return {
    ...f.chargeFixture, id: `ch_${order}`, payment_intent: c.paymentIntent, amount: c.amount, amount_refunded: c.amountRefunded,
    refunded: c.amountRefunded >= c.amount, currency: c.currency ?? 'usd', status: 'succeeded', metadata: { order },
  };
}

/** POSTs a delivery to the gateway's webhook endpoint, signed with the SDK's test helper unless a header is given. */
export async function deliverWebhook(f: PaymentsFixture, payload: string, options: { signature?: string; timestampS?: number; secret?: string } = {}): Promise<{ status: number; body: any }> {
  const signature = options.signature ?? stripeTestSignatureHeader({
    payload, secret: options.secret ?? WEBHOOK_SECRET, ...(options.timestampS === undefined ? {} : { timestampS: options.timestampS }),
  });
  const res = await fetch(`${f.stack.httpUrl()}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload });
  return { status: res.status, body: await res.json() };
}

interface OrderDocument {
  _id: string;
  state: OrderState;
  applied: Array<{ key: string }>;
  version: number;
}

/** The order's stored entity document, with its `applied` list decoded as the runtime reads it. */
export async function orderDocument(f: PaymentsFixture, order: string): Promise<OrderDocument | null> {
  const doc = await f.db.collection<Omit<OrderDocument, 'applied'> & { applied: unknown }>(PAYMENTS_COLLECTION).findOne({ _id: order });
  return doc && { ...doc, applied: decodeStoredList<{ key: string }>(doc.applied) };
}

/** Waits until the order's committed state satisfies `done`. */
export function orderReaches(f: PaymentsFixture, order: string, what: string, done: (s: OrderState, doc: OrderDocument) => boolean, timeoutMs = 60_000): Promise<OrderDocument> {
  return eventually(`order ${order}: ${what}`, async () => {
    const doc = await orderDocument(f, order);
    return doc && done(doc.state, doc) ? doc : undefined;
  }, timeoutMs);
}

/** The order's committed ledger entries (up to the seq its committed state references). */
export async function committedLedger(f: PaymentsFixture, order: string): Promise<LedgerEntryView[]> {
  const doc = await orderDocument(f, order);
  return new LedgerStore(f.db).committed(order, doc?.state.ledger.seq ?? 0);
}

/** Every ledger document of the order, committed or not. */
export async function storedLedger(f: PaymentsFixture, order: string): Promise<LedgerEntryView[]> {
  return f.db.collection<LedgerEntryView>(LEDGER_COLLECTION).find({ order }, { projection: { _id: 0 } }).sort({ seq: 1 }).toArray();
}

/** The ledger as a whole balances: per currency, debits equal credits, and every entry balances on its own. */
export async function assertLedgerBalances(f: PaymentsFixture): Promise<void> {
  const totals = await new LedgerStore(f.db).totals();
  for (const [currency, t] of Object.entries(totals)) assert.equal(t.debits, t.credits, `ledger in ${currency}: debits ${t.debits} = credits ${t.credits}`);
  const entries = await f.db.collection<LedgerEntryView>(LEDGER_COLLECTION).find({}).toArray();
  for (const e of entries) assert.ok(isBalanced(e), `entry ${e.id} balances`);
}

/** Every `evt.payments.*` domain event about `order`, in stream order. */
export async function paymentDomainEvents(f: PaymentsFixture, order: string): Promise<DomainEventBody[]> {
  const jsm = await jetstreamManager(f.nc);
  const info = await jsm.streams.info(STREAMS.events, { subjects_filter: 'evt.payments.>' });
  const expected = Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0);
  if (expected === 0) return [];
  const consumer = await jetstream(f.nc).consumers.get(STREAMS.events, { filter_subjects: ['evt.payments.>'], deliver_policy: DeliverPolicy.All });
  const events: DomainEventBody[] = [];
  const messages = await consumer.consume();
  let seen = 0;
  for await (const m of messages) {
    const body = m.json<DomainEventBody>();
    if (body.entity === order) events.push(body);
    if (++seen >= expected) break;
  }
  await messages.close();
  return events;
}

/** Discord messages posted about `order`. */
export function discordMessagesAbout(f: PaymentsFixture, order: string): string[] {
  return f.discord.messages.filter((m) => m.content.includes(`order ${order},`)).map((m) => m.content);
}

/** Checks out `order` for `payer` and answers the PaymentIntent id stripe-mock gave it. */
export async function checkedOut(payer: Payer, order: string, amount = 2500, currency = 'usd'): Promise<string> {
  const result = await payer.send(order, 'checkout', { amount, currency, description: `test order ${order}` });
  assert.equal(result.ok, true, JSON.stringify(result));
  return result.data.order.paymentIntent as string;
}
