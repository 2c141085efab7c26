/**
 * A local stand-in for an OpenAI-compatible Chat Completions server,
 * `POST /v1/chat/completions` with `stream: true`, speaking the streaming
 * wire format: `data: {chunk json}\n\n` events with
 * `choices[0].delta.content`, a chunk with `finish_reason`, a final chunk
 * with `usage` and empty `choices` when `stream_options.include_usage` is
 * set, then `data: [DONE]`; errors as `{error: {message, type, code}}`.
 *
 * Tests script the next answers: a stream (text pieces, delay per piece,
 * optionally breaking the connection midway), an HTTP status with headers
 * (429 + Retry-After, 500, 401…), or silence. Once the script is used up
 * every request gets the default answer (a short fixed one, or what
 * `defaultAnswer` makes of the request: `npm start` runs this server as the
 * demo's offline AI provider and answers from the prompt). It proves our client's
 * handling of the format and of failures; it cannot prove a particular
 * vendor's quirks (field order, keep-alive comments, usage accounting).
 */
import type { ServerResponse } from 'node:http';
import { startRecordingHttpServer, sendJson, type RecordedRequest, type RecordingHttpServer } from './recordingHttpServer.js';

export type ChatScriptStep =
  | {
    kind: 'stream';
    pieces: string[];
    /** Pause before each piece, ms. @default 0 */
    delayMs?: number;
    /** Reported usage; null sends none even when asked. @default counts of the pieces */
    usage?: { prompt_tokens: number; completion_tokens: number } | null;
    /** Destroy the connection after this many pieces (a broken stream). */
    breakAfter?: number;
  }
  | { kind: 'status'; status: number; headers?: Record<string, string>; error?: { message: string; type?: string; code?: string } }
  /** Never answer. */
  | { kind: 'hang' };

export interface ChatCompletionsServer {
  /** For SY_AI_BASE_URL: `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Answers for the next requests, in order, replacing any not yet used. */
  script(...steps: ChatScriptStep[]): void;
  server: RecordingHttpServer;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A chat message as the request carries it. */
export interface ChatRequestMessage { role: string; content: string }

export interface ChatCompletionsServerOptions {
  /** The answer once the script is used up. @default four fixed pieces, no delay */
  defaultAnswer?: (messages: ChatRequestMessage[]) => Extract<ChatScriptStep, { kind: 'stream' }>;
}

export async function startChatCompletionsServer(options: ChatCompletionsServerOptions = {}): Promise<ChatCompletionsServer> {
  const steps: ChatScriptStep[] = [];
  let completionId = 0;

  const stream = async (req: RecordedRequest, res: ServerResponse, step: Extract<ChatScriptStep, { kind: 'stream' }>, model: string, includeUsage: boolean) => {
    const id = `chatcmpl-${++completionId}`;
    const created = Math.floor(Date.now() / 1000);
    // Resolves once the event is handed to the socket, so a scripted break comes after it.
    const send = (payload: unknown) => new Promise<void>((resolve) => { res.write(`data: ${JSON.stringify(payload)}\n\n`, () => resolve()); });
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    await send(chunk({ role: 'assistant', content: '' }, null));
    for (const [i, piece] of step.pieces.entries()) {
      if (step.breakAfter !== undefined && i === step.breakAfter) { res.socket?.destroy(); return; }
      if (step.delayMs) await sleep(step.delayMs);
      if (req.closedEarlyAt !== undefined) return; // the client went away
      await send(chunk({ content: piece }, null));
    }
    await send(chunk({}, 'stop'));
    const usage = step.usage === undefined ? { prompt_tokens: 10, completion_tokens: step.pieces.length } : step.usage;
    if (includeUsage && usage) await send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } });
    res.end('data: [DONE]\n\n');
  };

  const server = await startRecordingHttpServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return sendJson(res, 404, { error: { message: `Unknown request URL: ${req.method} ${req.url}`, type: 'invalid_request_error', code: 'unknown_url' } });
    }
    let body: { model?: unknown; messages?: unknown; stream?: unknown; stream_options?: { include_usage?: unknown } };
    try { body = JSON.parse(req.body) as typeof body; } catch { return sendJson(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', code: null } }); }
    if (typeof body.model !== 'string' || !Array.isArray(body.messages) || body.stream !== true) {
      return sendJson(res, 400, { error: { message: 'model, messages and stream: true are required here.', type: 'invalid_request_error', code: null } });
    }
    const step = steps.shift() ?? options.defaultAnswer?.(body.messages as ChatRequestMessage[]) ?? { kind: 'stream', pieces: ['Hello', ' from', ' the', ' stand-in.'] };
    switch (step.kind) {
      case 'hang': return;
      case 'status':
        return sendJson(res, step.status, { error: { type: 'server_error', code: null, ...(step.error ?? { message: `scripted ${step.status}` }) } }, step.headers ?? {});
      case 'stream':
        return stream(req, res, step, body.model, body.stream_options?.include_usage === true);
    }
  });

  return {
    baseUrl: `${server.url}/v1`,
    requests: server.requests,
    script: (...s) => { steps.splice(0, steps.length, ...s); },
    server,
    stop: () => server.stop(),
  };
}
