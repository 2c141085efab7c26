/**
 * A recording proxy in front of stripe-mock, for tests of code that calls
 * Stripe through the real SDK. Every request is forwarded to stripe-mock
 * (which validates it against Stripe's OpenAPI spec and answers from its
 * fixtures) and recorded with its idempotency key. Tests can:
 *
 * - hold the answer to a request: stripe-mock has processed it (for real
 *   Stripe the object would exist now) but the caller does not hear back
 *   until the test releases it — the deterministic point "between the
 *   Stripe call and the database write" at which a test kills a worker;
 * - rewrite answers: stripe-mock is stateless (it never remembers what was
 *   created, never echoes metadata, lists only fixtures), so a test that
 *   needs Stripe to report a state — a PaymentIntent that succeeded while
 *   its webhook was lost — patches the fixture answer with it.
 */
import type { ServerResponse } from 'node:http';
import { startRecordingHttpServer, type RecordedRequest, type RecordingHttpServer } from '../../deploy/local/recordingHttpServer.js';

export interface StripeCall {
  method: string;
  /** Path and query. */
  url: string;
  idempotencyKey: string | undefined;
  /** The answer's status; undefined while held or when the caller went away first. */
  status?: number;
  /** True when a `rewrite` patched the answer (the request may have arrived before the rewrite was set). */
  rewritten?: boolean;
  at: number;
}

export interface HeldAnswer {
  /** Resolves when a matching request arrived and stripe-mock answered it (the answer is now held). */
  arrived: Promise<StripeCall>;
  /** Sends the held answer (a no-op when the caller is gone). */
  release(): void;
}

export interface StripeMockProxy {
  /** API base for SY_STRIPE_API_BASE. */
  url: string;
  calls: StripeCall[];
  /** Holds the answer to the next request matching `match`. */
  holdNext(match: (call: StripeCall) => boolean): HeldAnswer;
  /** Rewrites the JSON answers to requests matching `match` until the returned function is called. */
  rewrite(match: (call: StripeCall) => boolean, patch: (answer: Record<string, unknown>, call: StripeCall) => unknown): () => void;
  /** Answers the next request matching `match` with `status` and a Stripe `api_error` body; stripe-mock never sees it. */
  failNext(match: (call: StripeCall) => boolean, status: number): void;
  server: RecordingHttpServer;
  stop(): Promise<void>;
}

const FORWARDED_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'stripe-version', 'user-agent', 'x-stripe-client-user-agent', 'stripe-account'];

export async function startStripeMockProxy(stripeMockUrl: string): Promise<StripeMockProxy> {
  const calls: StripeCall[] = [];
  const holds: Array<{ match: (c: StripeCall) => boolean; arrived: (c: StripeCall) => void; released: Promise<void> }> = [];
  const failures: Array<{ match: (c: StripeCall) => boolean; status: number }> = [];
  const rewrites = new Set<{ match: (c: StripeCall) => boolean; patch: (a: Record<string, unknown>, c: StripeCall) => unknown }>();

  const handle = async (req: RecordedRequest, res: ServerResponse) => {
    const key = req.headers['idempotency-key'];
    const call: StripeCall = { method: req.method, url: req.url, idempotencyKey: typeof key === 'string' ? key : undefined, at: req.at };
    calls.push(call);
    const failure = failures.findIndex((f) => f.match(call));
    if (failure >= 0) {
      const { status } = failures.splice(failure, 1)[0]!;
      const text = JSON.stringify({ error: { type: 'api_error', message: `stripe-mock proxy: scripted ${status}` } });
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    const answer = await fetch(`${stripeMockUrl}${req.url}`, { method: req.method, headers, ...(req.method === 'GET' || req.method === 'DELETE' ? {} : { body: req.body }) });
    let text = await answer.text();
    for (const r of rewrites) {
      if (!answer.ok || !r.match(call)) continue;
      text = JSON.stringify(r.patch(JSON.parse(text) as Record<string, unknown>, call));
      call.rewritten = true;
    }
    const hold = holds.findIndex((h) => h.match(call));
    if (hold >= 0) {
      const [h] = holds.splice(hold, 1);
      h!.arrived(call);
      await h!.released;
    }
    if (res.destroyed || res.writableEnded) return;
    call.status = answer.status;
    const out: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
    for (const name of ['request-id', 'idempotency-key', 'stripe-version']) {
      const v = answer.headers.get(name);
      if (v) out[name] = v;
    }
    res.writeHead(answer.status, out);
    res.end(text);
  };

  const server = await startRecordingHttpServer(handle);
  return {
    url: server.url,
    calls,
    holdNext(match) {
      let arrived!: (c: StripeCall) => void;
      let release!: () => void;
      const arrivedP = new Promise<StripeCall>((resolve) => { arrived = resolve; });
      const released = new Promise<void>((resolve) => { release = resolve; });
      holds.push({ match, arrived, released });
      return { arrived: arrivedP, release };
    },
    rewrite(match, patch) {
      const r = { match, patch };
      rewrites.add(r);
      return () => { rewrites.delete(r); };
    },
    failNext(match, status) { failures.push({ match, status }); },
    server,
    stop: () => server.stop(),
  };
}
