/**
 * What the crypto tests share: a real Hardhat node (test token deployed, a
 * funded dev account), a stack whose workers watch it, a local Discord
 * webhook server, a payer speaking the WebSocket protocol, and reads of the
 * order, its ledger and the watcher.
 */
import assert from 'node:assert/strict';
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { CRYPTO_ORDER_EVENT, userTopic, type CryptoLedgerEntry, type CryptoOrderView } from '../../protocol/index.js';
import { CRYPTO_COLLECTION, CRYPTO_LEDGER_COLLECTION, CryptoLedgerStore, WATCHER_ENTITY, isCryptoEntryBalanced, type CryptoOrderState, type WatcherState } from '../../actors/crypto/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { startDevChainNode, TEST_TOKEN, type DevChainNode } from '../harness/chainFixture.js';
import { startDiscordWebhookServer, type DiscordWebhookServer } from '../harness/discordWebhookServer.js';
import { WsTestClient, type Frame } from '../harness/wsTestClient.js';
import { eventually } from '../harness/commandDriver.js';
import { startGatedJsonRpcProxy, type GatedJsonRpcProxy } from '../harness/gatedJsonRpcProxy.js';

export { eventually, TEST_TOKEN };

export const CONFIRMATIONS = 3;

export interface CryptoFixture {
  chain: DevChainNode;
  stack: Stack;
  discord: DiscordWebhookServer;
  /** Between the workers and the node when started with `gatedRpc`. */
  rpc: GatedJsonRpcProxy | undefined;
  mongo: MongoClient;
  db: Db;
  stop(): Promise<void>;
}

export async function startCryptoFixture(options: { workers: number; env?: Record<string, string>; gatedRpc?: boolean }): Promise<CryptoFixture> {
  const chain = await startDevChainNode();
  const discord = await startDiscordWebhookServer();
  const rpc = options.gatedRpc ? await startGatedJsonRpcProxy(chain.rpcUrl) : undefined;
  const stack = await startStack({
    gateways: 1,
    workers: 0,
    env: {
      ...chain.env,
      SY_CRYPTO_CONFIRMATIONS: String(CONFIRMATIONS),
      SY_CRYPTO_START_BLOCK: '0',
      SY_DISCORD_WEBHOOK_URL: discord.webhookUrl,
      SY_DISCORD_API_BASE: discord.apiBase,
      SY_DISCORD_TIMEOUT_MS: '3000',
      SY_ACTOR_RETRY_BASE_MS: '100',
      SY_ACTOR_RETRY_MAX_MS: '500',
      SY_TIMER_POLL_MS: '100',
      ...(rpc ? { SY_CRYPTO_RPC_URL: rpc.url } : {}),
      ...options.env,
    },
  });
  for (let i = 0; i < options.workers; i++) await stack.startWorker();
  const mongo = await MongoClient.connect(stack.env.MONGODB_URI!);
  return {
    chain, stack, discord, rpc, mongo, db: mongo.db('switchyard'),
    async stop() {
      await mongo.close().catch(() => {});
      rpc?.open();
      await stack.stop();
      await Promise.all([discord.stop(), chain.stop(), rpc?.stop()]);
    },
  };
}

export function uniqueOrder(name: string): string {
  return `c-${name}-${randomBytes(4).toString('hex')}`;
}

/** A user's WebSocket session joined to `user.<id>` (crypto order pushes). */
export class CryptoPayer {
  private next = 0;

  private constructor(readonly user: string, readonly client: WsTestClient) {}

  static async connect(stack: Stack, user: string): Promise<CryptoPayer> {
    const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token(user));
    const topic = userTopic(user);
    client.send({ type: 'sub', topic });
    await client.next((f) => f.type === 'subscribed' && f.topic === topic);
    return new CryptoPayer(user, client);
  }

  async send(order: string, name: string, data?: unknown): Promise<Frame & { ok: boolean; data?: any; error?: any }> {
    const id = `c${++this.next}-${randomBytes(3).toString('hex')}`;
    this.client.send({ type: 'cmd', id, actor: 'crypto', entity: order, name, ...(data === undefined ? {} : { data }) });
    const answer = await this.client.next((f) => (f.type === 'accepted' || f.type === 'rejected') && f.id === id);
    assert.equal(answer.type, 'accepted', JSON.stringify(answer));
    return await this.client.next((f) => f.type === 'result' && f.id === id, 60_000) as Frame & { ok: boolean; data?: any; error?: any };
  }

  async checkout(order: string, asset: string, amount: string): Promise<CryptoOrderView> {
    const r = await this.send(order, 'checkout', { asset, amount });
    assert.equal(r.ok, true, JSON.stringify(r));
    return r.data as CryptoOrderView;
  }

  pushes(order: string): CryptoOrderView[] {
    return this.client.all((f) => f.type === 'event' && f.name === CRYPTO_ORDER_EVENT && (f.data as CryptoOrderView).order === order).map((f) => f.data as CryptoOrderView);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

interface EntityDocument<S> {
  _id: string;
  state: S;
}

export async function orderState(f: CryptoFixture, order: string): Promise<CryptoOrderState | undefined> {
  return (await f.db.collection<EntityDocument<CryptoOrderState>>(CRYPTO_COLLECTION).findOne({ _id: order }))?.state;
}

export async function watcherState(f: CryptoFixture): Promise<WatcherState | undefined> {
  return (await f.db.collection<EntityDocument<WatcherState>>(CRYPTO_COLLECTION).findOne({ _id: WATCHER_ENTITY }))?.state;
}

export function orderReaches(f: CryptoFixture, order: string, what: string, done: (s: CryptoOrderState) => boolean, timeoutMs = 60_000): Promise<CryptoOrderState> {
  return eventually(`order ${order}: ${what}`, async () => {
    const s = await orderState(f, order);
    return s && done(s) ? s : undefined;
  }, timeoutMs);
}

/** Waits until the watcher's checkpoint reached the node's head. */
export async function watcherCaughtUp(f: CryptoFixture): Promise<WatcherState> {
  const head = await f.chain.chain.head();
  return eventually(`watcher at block ${head}`, async () => {
    const w = await watcherState(f);
    return w?.checkpoint && w.checkpoint.number >= head ? w : undefined;
  });
}

/** Mines `blocks` blocks one at a time, letting the watcher see each (confirmation pushes k of N). */
export async function mineAndWatch(f: CryptoFixture, blocks: number): Promise<void> {
  for (let i = 0; i < blocks; i++) {
    await f.chain.chain.mine(1);
    await watcherCaughtUp(f);
  }
}

export async function committedLedger(f: CryptoFixture, order: string): Promise<CryptoLedgerEntry[]> {
  const s = await orderState(f, order);
  return new CryptoLedgerStore(f.db).committed(order, s?.ledger.seq ?? 0);
}

/** Every stored entry balances, and per asset debits equal credits. */
export async function assertLedgerBalances(f: CryptoFixture): Promise<void> {
  const entries = await f.db.collection<CryptoLedgerEntry>(CRYPTO_LEDGER_COLLECTION).find({}).toArray();
  const totals = new Map<string, { d: bigint; c: bigint }>();
  for (const e of entries) {
    assert.ok(isCryptoEntryBalanced(e), `entry ${e.id} balances`);
    const t = totals.get(e.asset) ?? { d: 0n, c: 0n };
    for (const l of e.lines) { t.d += BigInt(l.debit); t.c += BigInt(l.credit); }
    totals.set(e.asset, t);
  }
  for (const [asset, t] of totals) assert.equal(t.d, t.c, `ledger in ${asset} balances`);
}

/** Sum of one account's credits minus debits in `entries`. */
export function accountCredit(entries: readonly CryptoLedgerEntry[], account: string): bigint {
  return entries.reduce((sum, e) => sum + e.lines.filter((l) => l.account === account).reduce((s, l) => s + BigInt(l.credit) - BigInt(l.debit), 0n), 0n);
}

export function discordMessagesAbout(f: CryptoFixture, order: string): string[] {
  return f.discord.messages.filter((m) => m.content.includes(`order ${order},`)).map((m) => m.content);
}

/**
 * Registers the file's fixture: started before its tests with alice's
 * session and the watcher caught up, the ledger checked after each test,
 * everything stopped after. Read `f` and `alice` inside tests.
 */
export function cryptoSuite(options: Parameters<typeof startCryptoFixture>[0]): { readonly f: CryptoFixture; readonly alice: CryptoPayer } {
  const suite = {} as { f: CryptoFixture; alice: CryptoPayer };
  t.before(async () => {
    suite.f = await startCryptoFixture(options);
    suite.alice = await CryptoPayer.connect(suite.f.stack, 'alice');
    await watcherCaughtUp(suite.f);
  });
  t.teardown(async () => {
    await suite.alice?.close().catch(() => {});
    await suite.f?.stop();
  });
  t.afterEach(async () => { await assertLedgerBalances(suite.f); });
  return suite;
}
