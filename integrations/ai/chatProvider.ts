/**
 * What the AI actor needs from a language model: a streamed chat completion
 * it can cancel. Services receive a ChatProvider by injection; the
 * implementations are openAiCompatibleChatProvider.ts (any OpenAI-compatible
 * Chat Completions API) and simulatedChatProvider.ts (canned answers for
 * development).
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  /** @default the provider's configured model */
  model?: string;
  messages: ChatMessage[];
  /** Upper bound on generated tokens. @default the model's own limit */
  maxTokens?: number;
  /** @default the model's default */
  temperature?: number;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  /** True when the provider reported no usage and the counts are estimates (about 4 characters per token). */
  estimated: boolean;
}

/**
 * A stream yields `text` chunks in order and, when the answer is complete,
 * exactly one `done` chunk last. A stream that ends without `done` has thrown.
 */
export type ChatChunk =
  | { type: 'text'; text: string }
  | { type: 'done'; usage: ChatUsage; finishReason: string | null; model: string };

export interface ChatStreamOptions {
  /** Aborting cancels the request to the provider (the HTTP connection is closed) and the stream throws CANCELLED. */
  signal?: AbortSignal;
}

/** Who answers; shown in logs and passed on to clients so a simulated answer is never mistaken for a model's. */
export interface ChatProviderInfo {
  provider: 'openai-compatible' | 'simulated';
  model: string;
  simulated: boolean;
}

/**
 * Streams a chat completion. Throws IntegrationError: CANCELLED (the signal
 * fired), UNAVAILABLE (transient: 429, 5xx, network or silence after the
 * provider's own retries, or a stream broken midway), VALIDATION (the
 * provider refused the request, e.g. too long a context), VENDOR_REJECTED
 * (credentials, permissions, unknown model: an operator must act).
 */
export interface ChatProvider {
  readonly info: ChatProviderInfo;
  stream(request: ChatRequest, options?: ChatStreamOptions): AsyncIterable<ChatChunk>;
}

/** Rough token count for text when a provider reports none. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

export function promptChars(messages: ChatMessage[]): number {
  return messages.reduce((n, m) => n + m.content.length, 0);
}
