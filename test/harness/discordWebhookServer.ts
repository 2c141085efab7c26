/**
 * A local stand-in for Discord's "Execute Webhook" endpoint,
 * `POST /api/v10/webhooks/{id}/{token}` (with `?wait=true` answering the
 * created message object, else 204), as documented by Discord:
 *
 * - rate-limit headers on every answer: `X-RateLimit-Limit`,
 *   `X-RateLimit-Remaining`, `X-RateLimit-Reset`, `X-RateLimit-Reset-After`,
 *   `X-RateLimit-Bucket`;
 * - a 429 carries JSON `{message, retry_after (seconds, float), global}` and
 *   headers `Retry-After` (whole seconds) and `X-RateLimit-Scope`;
 * - an unknown webhook is 404 `{message: "Unknown Webhook", code: 10015}`;
 *   an empty or too long message is 400 `{code: 50035, message: "Invalid Form Body"}`.
 *
 * Tests script the next answers (rate limits, 500s, hangs); once the script
 * is used up every request is accepted. It cannot prove how real Discord
 * counts buckets or when it lifts a global limit — only that our client obeys
 * what the headers say.
 */
import type { ServerResponse } from 'node:http';
import { startRecordingHttpServer, sendJson, type RecordedRequest, type RecordingHttpServer } from '../../deploy/local/recordingHttpServer.js';

export type DiscordScriptStep =
  /** Accept; the rate-limit headers report `remaining` requests left, reset after `resetAfterS`. */
  | { kind: 'ok'; remaining?: number; resetAfterS?: number }
  | { kind: 'rateLimited'; retryAfterS: number; global?: boolean }
  | { kind: 'serverError' }
  /** Never answer (the client must time out). */
  | { kind: 'hang' };

export interface DeliveredMessage {
  id: string;
  webhookId: string;
  content: string;
  embeds: unknown[];
  allowedMentions: unknown;
  at: number;
}

export interface DiscordWebhookServer {
  /** The API base without version, for SY_DISCORD_API_BASE: `http://127.0.0.1:<port>/api`. */
  apiBase: string;
  /** A webhook URL this server accepts. */
  webhookUrl: string;
  /** Every HTTP request, with what it was answered. */
  requests: Array<RecordedRequest & { answered?: number }>;
  /** Messages accepted (posted to the channel). */
  messages: DeliveredMessage[];
  /** Answers for the next requests, in order, replacing any not yet used. */
  script(...steps: DiscordScriptStep[]): void;
  server: RecordingHttpServer;
  stop(): Promise<void>;
}

const WEBHOOK_ID = '112233445566778899';
const WEBHOOK_TOKEN = 'test-webhook-token_Abc123';
const LIMIT = 5;

export async function startDiscordWebhookServer(): Promise<DiscordWebhookServer> {
  const steps: DiscordScriptStep[] = [];
  const messages: DeliveredMessage[] = [];
  let nextMessageId = 1_000_000_000_000_000n;

  const answer = (req: RecordedRequest & { answered?: number }, res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) => {
    req.answered = status;
    if (status === 204) { res.writeHead(204, headers); res.end(); return; }
    sendJson(res, status, body, headers);
  };

  const server = await startRecordingHttpServer((recorded, res) => {
    const req = recorded as RecordedRequest & { answered?: number };
    const url = new URL(req.url, 'http://x');
    const m = /^\/api\/v10\/webhooks\/(\d+)\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || !m) return answer(req, res, 404, { message: '404: Not Found', code: 0 }, {});
    if (m[1] !== WEBHOOK_ID || m[2] !== WEBHOOK_TOKEN) return answer(req, res, 404, { message: 'Unknown Webhook', code: 10015 }, {});

    const step = steps.shift() ?? { kind: 'ok' };
    const bucket = { 'x-ratelimit-limit': String(LIMIT), 'x-ratelimit-bucket': 'webhook-bucket-1' };
    const resetHeaders = (remaining: number, resetAfterS: number) => ({
      ...bucket,
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset-after': resetAfterS.toFixed(3),
      'x-ratelimit-reset': ((Date.now() / 1000) + resetAfterS).toFixed(3),
    });
    switch (step.kind) {
      case 'hang':
        return; // the connection stays open until the client gives up or the server stops
      case 'serverError':
        return answer(req, res, 500, { message: '500: Internal Server Error', code: 0 }, {});
      case 'rateLimited': {
        const headers: Record<string, string> = {
          ...resetHeaders(0, step.retryAfterS),
          'retry-after': String(Math.ceil(step.retryAfterS)),
          'x-ratelimit-scope': step.global ? 'global' : 'user',
        };
        if (step.global) headers['x-ratelimit-global'] = 'true';
        return answer(req, res, 429, { message: 'You are being rate limited.', retry_after: step.retryAfterS, global: step.global ?? false }, headers);
      }
      case 'ok': {
        let body: { content?: unknown; embeds?: unknown; allowed_mentions?: unknown };
        try { body = JSON.parse(req.body) as typeof body; } catch { return answer(req, res, 400, { message: 'Invalid Form Body', code: 50035 }, {}); }
        const content = typeof body.content === 'string' ? body.content : '';
        const embeds = Array.isArray(body.embeds) ? body.embeds : [];
        if ((content === '' && embeds.length === 0) || content.length > 2000 || embeds.length > 10) {
          return answer(req, res, 400, { message: 'Invalid Form Body', code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } } }, {});
        }
        const message: DeliveredMessage = { id: String(nextMessageId++), webhookId: WEBHOOK_ID, content, embeds, allowedMentions: body.allowed_mentions, at: Date.now() };
        messages.push(message);
        const headers = resetHeaders(step.remaining ?? LIMIT - 1, step.resetAfterS ?? 2);
        if (url.searchParams.get('wait') !== 'true') return answer(req, res, 204, undefined, headers);
        return answer(req, res, 200, {
          id: message.id, type: 0, content, embeds, channel_id: '998877665544332211', webhook_id: WEBHOOK_ID,
          author: { id: WEBHOOK_ID, username: 'switchyard', bot: true }, timestamp: new Date(message.at).toISOString(),
        }, headers);
      }
    }
  });

  return {
    apiBase: `${server.url}/api`,
    webhookUrl: `https://discord.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`,
    requests: server.requests,
    messages,
    script: (...s) => { steps.splice(0, steps.length, ...s); },
    server,
    stop: () => server.stop(),
  };
}
