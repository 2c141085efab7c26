/**
 * Reads one answer from a ChatProvider: hands each piece of text on as it
 * arrives, cuts the answer at `maxChars` (closing the provider's stream,
 * which closes its HTTP request). The provider's errors pass through as
 * they are: the runtime's one rule (actors/runtime/commandErrors.ts) retries a
 * transient IntegrationError (429, 5xx, network, silence, a stream broken
 * midway) with backoff and dead-letters it at the end, and turns any other
 * into the client's ok:false result (VENDOR_REJECTED, VALIDATION). After the
 * signal fired, whatever is thrown is moot: the runtime already ended the
 * attempt (cancel, timeout, partition loss).
 */
import { estimateTokens, type ChatProvider, type ChatRequest, type ChatUsage } from '../../integrations/index.js';
import { TransientError } from '../runtime/index.js';

export interface StreamedAnswer {
  text: string;
  usage: ChatUsage;
  finishReason: string | null;
  model: string;
}

export interface AnswerStreamOptions {
  signal: AbortSignal;
  /** Longest answer kept; the rest is not read (finishReason `length`). */
  maxChars: number;
  onText: (text: string) => void;
}

export async function streamAnswer(provider: ChatProvider, request: ChatRequest, options: AnswerStreamOptions): Promise<StreamedAnswer> {
  let text = '';
  for await (const chunk of provider.stream(request, { signal: options.signal })) {
    if (chunk.type === 'done') return { text, usage: chunk.usage, finishReason: chunk.finishReason, model: chunk.model };
    const piece = chunk.text.slice(0, options.maxChars - text.length);
    text += piece;
    options.onText(piece);
    if (text.length >= options.maxChars) break;
  }
  if (text.length >= options.maxChars) {
    const prompt = request.messages.reduce((n, m) => n + m.content.length, 0);
    return { text, usage: { promptTokens: estimateTokens(prompt), completionTokens: estimateTokens(text.length), estimated: true }, finishReason: 'length', model: provider.info.model };
  }
  throw new TransientError('the AI provider ended its stream without completing the answer');
}
