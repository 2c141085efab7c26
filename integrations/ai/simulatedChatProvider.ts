/**
 * A development ChatProvider for `npm start` and demos: streams a canned
 * answer word by word with model-like timing (a pause before the first
 * token, then a few dozen ms per word), so progress, cancellation and
 * coalescing can be seen without an API key or a GPU. It is labelled
 * everywhere: `info.simulated` is true, the model is called "simulated",
 * every answer starts with "[simulated]", and the factory logs that no
 * model is called. Usage counts are estimates.
 */
import type { Logger } from '../../platform/index.js';
import { sleepUnlessCancelled } from './cancellation.js';
import { estimateTokens, promptChars, type ChatChunk, type ChatProvider, type ChatProviderInfo, type ChatRequest, type ChatStreamOptions } from './chatProvider.js';

export interface SimulatedChatOptions {
  /** Pause before the first word, ms. @default 400 */
  firstChunkDelayMs?: number;
  /** Average pause between words, ms (varies ±40 %). @default 45 */
  chunkDelayMs?: number;
  /** The answer for a request. @default a canned paragraph quoting the start of the last user message */
  answer?: (request: ChatRequest) => string;
  logger?: Logger;
}

export const SIMULATED_LABEL = '[simulated]';

const CANNED_TAIL = 'This answer comes from switchyard\'s simulated AI provider: no language model was called. '
  + 'It streams word by word so you can watch progress arrive, cancel it halfway, and see one final result. '
  + 'Set SY_AI_PROVIDER=openai with SY_AI_BASE_URL, SY_AI_MODEL and SY_AI_API_KEY to talk to a real model '
  + '(OpenAI, vLLM, llama.cpp or Ollama).';

function cannedAnswer(request: ChatRequest): string {
  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const quoted = lastUser.length > 60 ? `${lastUser.slice(0, 60)}…` : lastUser;
  return `${SIMULATED_LABEL} You asked: “${quoted}”. ${CANNED_TAIL}`;
}

export class SimulatedChatProvider implements ChatProvider {
  readonly info: ChatProviderInfo = { provider: 'simulated', model: 'simulated', simulated: true };
  private readonly firstChunkDelayMs: number;
  private readonly chunkDelayMs: number;
  private readonly answer: (request: ChatRequest) => string;
  private readonly logger: Logger | undefined;

  constructor(options: SimulatedChatOptions = {}) {
    this.firstChunkDelayMs = options.firstChunkDelayMs ?? 400;
    this.chunkDelayMs = options.chunkDelayMs ?? 45;
    this.answer = options.answer ?? cannedAnswer;
    this.logger = options.logger;
  }

  async *stream(request: ChatRequest, { signal }: ChatStreamOptions = {}): AsyncGenerator<ChatChunk> {
    const text = this.answer(request);
    const words = text.match(/\S+\s*/g) ?? [text];
    this.logger?.debug({ ai: { provider: 'simulated', messages: request.messages.length, words: words.length } }, 'ai simulated answer');
    await sleepUnlessCancelled(this.firstChunkDelayMs, signal);
    for (const [i, word] of words.entries()) {
      if (i > 0) await sleepUnlessCancelled(this.chunkDelayMs * (0.6 + 0.8 * ((i * 7919) % 10) / 10), signal);
      yield { type: 'text', text: word };
    }
    yield {
      type: 'done',
      usage: { promptTokens: estimateTokens(promptChars(request.messages)), completionTokens: estimateTokens(text.length), estimated: true },
      finishReason: 'stop',
      model: this.info.model,
    };
  }
}
