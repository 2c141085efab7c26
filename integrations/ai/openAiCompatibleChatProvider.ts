/**
 * A ChatProvider for any server speaking OpenAI's Chat Completions API with
 * streaming (`POST {baseUrl}/chat/completions`, `stream: true`,
 * `stream_options.include_usage`): OpenAI, vLLM, llama.cpp's server, Ollama
 * and others. Plain `fetch` and server-sent events; no vendor SDK.
 *
 * Retries: 408, 409, 425, 429, 5xx, network errors and silence are retried
 * up to `maxAttempts` in total, waiting what `Retry-After` asks (seconds or
 * an HTTP date) or else an exponential backoff — but only while no text has
 * been handed to the caller. Once the answer has started, a failure is final
 * for this call (UNAVAILABLE, details.partial), because replaying it would
 * show the user a second, different beginning.
 *
 * Logs carry the model, message count, prompt size in characters, statuses,
 * attempts and token counts; never the API key, the prompt or the answer.
 */
import type { Config, Logger } from '../../platform/index.js';
import { IntegrationError } from '../integrationError.js';
import { countVendorRetry, startVendorCall } from '../vendorCallMetrics.js';
import {
  estimateTokens, promptChars,
  type ChatChunk, type ChatProvider, type ChatProviderInfo, type ChatRequest, type ChatStreamOptions, type ChatUsage,
} from './chatProvider.js';
import { cancelledGeneration, sleepUnlessCancelled } from './cancellation.js';
import { retryAfterMs } from './retryAfter.js';
import { readServerSentEvents } from './serverSentEvents.js';

export interface OpenAiCompatibleOptions {
  /** API base including the version path, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1` (Ollama). */
  baseUrl: string;
  /** Model used when a request names none. */
  model: string;
  /** Sent as `Authorization: Bearer …`; omitted when empty (local servers). @default '' */
  apiKey?: string;
  /** Longest the provider may stay silent — until its response starts, and between two chunks — ms. @default 60000 */
  timeoutMs?: number;
  /** Attempts in total on retryable failures before the first chunk. @default 3 */
  maxAttempts?: number;
  /** First backoff when the server gives no Retry-After, ms; doubles per attempt, with jitter. @default 500 */
  initialBackoffMs?: number;
  /** Longest backoff, ms. @default 8000 */
  maxBackoffMs?: number;
  /** Longest Retry-After honoured, ms; a longer one fails now as UNAVAILABLE with details.retryAfterMs. @default 60000 */
  maxRetryAfterMs?: number;
  logger?: Logger;
}

export const OPENAI_COMPATIBLE_DEFAULTS = {
  timeoutMs: 60_000, maxAttempts: 3, initialBackoffMs: 500, maxBackoffMs: 8_000, maxRetryAfterMs: 60_000,
} as const;

/** Statuses worth sending again: timeouts, conflicts, rate limits, server errors. */
const RETRYABLE_STATUS = (status: number) => status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
/** Added to a server-named wait, so timer granularity never makes us early. */
const RETRY_AFTER_MARGIN_MS = 50;
/** Longest provider error text kept in details (it may quote request fragments). */
const MAX_PROVIDER_MESSAGE_CHARS = 200;

/** Shapes of the Chat Completions streaming wire format (what we read of it). */
interface CompletionChunkWire {
  model?: string;
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string; type?: string; code?: string | null };
}

/** Why one attempt did not produce a complete answer. */
class AttemptFailure {
  constructor(
    readonly error: IntegrationError,
    /** May another attempt help (and is one allowed: nothing yielded yet)? */
    readonly retryable: boolean,
    readonly reason: 'rate_limited' | 'server_error' | 'network' | 'timeout' | 'final',
    readonly retryAfterMs?: number,
  ) {}
}

export class OpenAiCompatibleChatProvider implements ChatProvider {
  readonly info: ChatProviderInfo;
  private readonly url: string;
  private readonly options: Required<Omit<OpenAiCompatibleOptions, 'logger'>> & { logger: Logger | undefined };

  constructor(options: OpenAiCompatibleOptions) {
    this.options = { ...OPENAI_COMPATIBLE_DEFAULTS, apiKey: '', ...options, logger: options.logger };
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.info = { provider: 'openai-compatible', model: options.model, simulated: false };
  }

  async *stream(request: ChatRequest, { signal }: ChatStreamOptions = {}): AsyncGenerator<ChatChunk> {
    const { logger, maxAttempts } = this.options;
    const model = request.model ?? this.options.model;
    const shape = { model, messages: request.messages.length, promptChars: promptChars(request.messages) };
    const timer = startVendorCall('ai', 'chat_stream');
    const startedAt = Date.now();
    try {
      for (let attempt = 1; ; attempt++) {
        if (signal?.aborted) throw cancelledGeneration();
        logger?.debug({ ai: { ...shape, attempt } }, 'ai request');
        const state = { yielded: false };
        let failure: AttemptFailure;
        try {
          const done = yield* this.attempt(request, model, state, signal);
          logger?.info({ ai: { ...shape, attempts: attempt, ms: Date.now() - startedAt, ...done.usage, finishReason: done.finishReason } }, 'ai answer complete');
          yield done;
          timer.succeeded();
          return;
        } catch (err) {
          if (signal?.aborted) throw cancelledGeneration();
          if (!(err instanceof AttemptFailure)) throw err;
          failure = err;
        }
        const more = failure.retryable && !state.yielded && attempt < maxAttempts;
        if (!more) {
          const error = state.yielded
            ? new IntegrationError('ai', failure.error.code, 'The AI provider stopped in the middle of the answer.', { details: { ...failure.error.details, partial: true }, cause: failure.error })
            : failure.retryable
              ? new IntegrationError('ai', 'UNAVAILABLE', `The AI provider failed ${attempt} time(s); try again later.`, { details: { ...failure.error.details, attempts: attempt }, cause: failure.error })
              : failure.error;
          logger?.warn({ ai: { ...shape, attempts: attempt, code: error.code, details: error.details } }, 'ai request failed');
          throw error;
        }
        const waitMs = failure.retryAfterMs !== undefined ? failure.retryAfterMs + RETRY_AFTER_MARGIN_MS : this.backoffMs(attempt);
        if (waitMs > this.options.maxRetryAfterMs) {
          const error = new IntegrationError('ai', 'UNAVAILABLE', 'The AI provider asked us to wait longer than we may; try again later.', {
            details: { ...failure.error.details, retryAfterMs: waitMs, attempts: attempt },
          });
          logger?.warn({ ai: { ...shape, attempts: attempt, code: error.code, details: error.details } }, 'ai request failed');
          throw error;
        }
        if (failure.reason !== 'final') countVendorRetry('ai', failure.reason);
        logger?.warn({ ai: { ...shape, attempt, reason: failure.reason, status: failure.error.details?.status, retryInMs: waitMs } }, 'ai request will be retried');
        await sleepUnlessCancelled(waitMs, signal);
      }
    } catch (err) {
      timer.failed(err);
      throw err;
    } finally {
      timer.failed(cancelledGeneration()); // only counts when the caller stopped reading early (the timer ends once)
    }
  }

  /**
   * One HTTP request. Yields text chunks and returns the `done` chunk;
   * throws AttemptFailure (or CANCELLED when `signal` fired). Closing the
   * generator early (the caller stopped reading) aborts the request.
   */
  private async *attempt(request: ChatRequest, model: string, state: { yielded: boolean }, signal: AbortSignal | undefined): AsyncGenerator<ChatChunk, Extract<ChatChunk, { type: 'done' }>> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let silent = false;
    let silenceTimer: NodeJS.Timeout | undefined;
    const armSilenceTimer = () => {
      clearTimeout(silenceTimer);
      silenceTimer = setTimeout(() => { silent = true; controller.abort(); }, this.options.timeoutMs);
    };
    const timedOut = () => new AttemptFailure(
      new IntegrationError('ai', 'UNAVAILABLE', 'The AI provider went silent.', { details: { reason: 'timeout', timeoutMs: this.options.timeoutMs } }), true, 'timeout');
    try {
      armSilenceTimer();
      let response: Response;
      try {
        response = await fetch(this.url, { method: 'POST', headers: this.headers(), body: JSON.stringify(this.wireRequest(request, model)), signal: controller.signal });
      } catch (err) {
        if (signal?.aborted) throw cancelledGeneration();
        if (silent) throw timedOut();
        throw new AttemptFailure(new IntegrationError('ai', 'UNAVAILABLE', 'The AI provider could not be reached.', { details: { reason: 'network' }, cause: err }), true, 'network');
      }
      if (!response.ok || !response.body) throw await statusFailure(response);

      let completionChars = 0;
      let finishReason: string | null = null;
      let usage: ChatUsage | undefined;
      let answeredModel = model;
      let sawDone = false;
      try {
        for await (const event of readServerSentEvents(response.body, armSilenceTimer)) {
          if (event.data === '[DONE]') { sawDone = true; break; }
          const chunk = parseChunk(event.data);
          if (chunk.error) {
            throw new AttemptFailure(new IntegrationError('ai', 'UNAVAILABLE', 'The AI provider reported an error while streaming.', {
              details: { providerMessage: truncate(chunk.error.message) },
            }), true, 'server_error');
          }
          if (typeof chunk.model === 'string' && chunk.model) answeredModel = chunk.model;
          const choice = chunk.choices?.[0];
          if (choice?.finish_reason) finishReason = choice.finish_reason;
          if (chunk.usage && typeof chunk.usage.prompt_tokens === 'number' && typeof chunk.usage.completion_tokens === 'number') {
            usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens, estimated: false };
          }
          const text = choice?.delta?.content;
          if (typeof text === 'string' && text.length > 0) {
            completionChars += text.length;
            state.yielded = true;
            // The caller's own pace does not count as provider silence.
            clearTimeout(silenceTimer);
            yield { type: 'text', text };
            armSilenceTimer();
          }
        }
      } catch (err) {
        if (signal?.aborted) throw cancelledGeneration();
        if (err instanceof AttemptFailure) throw err;
        if (silent) throw timedOut();
        throw new AttemptFailure(new IntegrationError('ai', 'UNAVAILABLE', 'The connection to the AI provider broke while streaming.', { details: { reason: 'network' }, cause: err }), true, 'network');
      }
      // A body that simply ends, with neither [DONE] nor a finish reason, was cut off.
      if (!sawDone && finishReason === null) {
        throw new AttemptFailure(new IntegrationError('ai', 'UNAVAILABLE', 'The AI provider\'s stream ended before the answer was complete.', { details: { reason: 'truncated' } }), true, 'network');
      }
      return {
        type: 'done',
        usage: usage ?? { promptTokens: estimateTokens(promptChars(request.messages)), completionTokens: estimateTokens(completionChars), estimated: true },
        finishReason,
        model: answeredModel,
      };
    } finally {
      clearTimeout(silenceTimer);
      signal?.removeEventListener('abort', onAbort);
      controller.abort(); // a no-op after a complete answer; closes the connection if the caller stopped early
    }
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    return headers;
  }

  private wireRequest(request: ChatRequest, model: string): Record<string, unknown> {
    const body: Record<string, unknown> = {
      model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      stream_options: { include_usage: true },
    };
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    return body;
  }

  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }
}

/** The provider SY_AI_* configures when SY_AI_PROVIDER=openai. */
export function openAiCompatibleOptionsFromConfig(config: Config): OpenAiCompatibleOptions {
  return { baseUrl: config.aiBaseUrl, model: config.aiModel, apiKey: config.aiApiKey, timeoutMs: config.aiTimeoutMs, maxAttempts: config.aiMaxAttempts };
}

async function statusFailure(response: Response): Promise<AttemptFailure> {
  const status = response.status;
  const wire = await response.text().then((t) => { try { return JSON.parse(t) as CompletionChunkWire; } catch { return {}; } }, () => ({} as CompletionChunkWire));
  const details: Record<string, unknown> = { status };
  const providerMessage = truncate(wire.error?.message);
  if (providerMessage) details.providerMessage = providerMessage;
  if (wire.error?.code) details.providerCode = wire.error.code;
  // OpenAI answers 429 insufficient_quota for billing: waiting does not help.
  if (status === 401 || status === 403 || status === 404 || wire.error?.code === 'insufficient_quota') {
    return new AttemptFailure(new IntegrationError('ai', 'VENDOR_REJECTED', 'The AI provider refused our credentials, quota or model name.', { details }), false, 'final');
  }
  if (RETRYABLE_STATUS(status)) {
    const wait = retryAfterMs(response.headers);
    const reason = status === 429 ? 'rate_limited' : status >= 500 ? 'server_error' : 'timeout';
    return new AttemptFailure(new IntegrationError('ai', 'UNAVAILABLE', `The AI provider answered ${status}.`, { details }), true, reason, wait);
  }
  if (status >= 400 && status < 500) {
    return new AttemptFailure(new IntegrationError('ai', 'VALIDATION', 'The AI provider refused the request (too long a conversation, or a bad parameter).', { details }), false, 'final');
  }
  return new AttemptFailure(new IntegrationError('ai', 'UNAVAILABLE', `The AI provider answered ${status} without a stream.`, { details }), true, 'server_error');
}

function parseChunk(data: string): CompletionChunkWire {
  try {
    return JSON.parse(data) as CompletionChunkWire;
  } catch (err) {
    throw new AttemptFailure(new IntegrationError('ai', 'UNAVAILABLE', 'The AI provider sent a malformed stream.', { details: { reason: 'malformed' }, cause: err }), true, 'server_error');
  }
}

function truncate(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return text.length > MAX_PROVIDER_MESSAGE_CHARS ? `${text.slice(0, MAX_PROVIDER_MESSAGE_CHARS)}…` : text;
}
