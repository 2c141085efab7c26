/**
 * One generation of a `chat` command, under both limits: a slot of the
 * user (cluster-wide; refused with LIMIT_EXCEEDED when they have too many
 * running), then a slot of this worker (waited for), then the provider's
 * stream pushed to the sender as coalesced `progress`. Usage is counted
 * once per command key when the answer is complete or the generation is
 * aborted (cancel, timeout, partition loss: the provider was paid for the
 * part it streamed). Both slots are released however it ends.
 */
import { AI_LIMITS } from '../../protocol/index.js';
import { aiFirstChunkLatency, aiGenerations, aiGenerationsRunning, aiTokens } from './metrics.js';
import { estimateTokens, type ChatMessage, type ChatUsage } from '../../integrations/index.js';
import { BusinessError, type CommandContext } from '../runtime/index.js';
import { streamAnswer, type StreamedAnswer } from './answerStream.js';
import type { AiDeps } from './dependencies.js';
import { ProgressCoalescer } from './progressCoalescer.js';

export async function generateAnswer(ctx: CommandContext<AiDeps>, messages: ChatMessage[]): Promise<StreamedAnswer> {
  const { userLimit } = ctx.deps;
  const grant = await userLimit.acquire(ctx.user, ctx.key, Date.now());
  if (!grant.granted) {
    aiGenerations.inc({ outcome: 'limited' });
    const running = `${grant.running} AI ${grant.running === 1 ? 'answer' : 'answers'}`;
    throw new BusinessError('LIMIT_EXCEEDED', `You already have ${running} being generated (the limit is ${userLimit.max}); wait for one to finish or cancel one, then send again.`, {
      details: { limit: 'ai.generationsPerUser', max: userLimit.max, running: grant.running },
    });
  }
  // Released as soon as the generation is aborted, not when the handler gets round to it: the runtime
  // answers CANCELLED at once, and the user may send the next chat right after.
  let released: Promise<void> | undefined;
  const release = () => {
    released ??= userLimit.release(ctx.user, ctx.key).catch((err: unknown) => ctx.log.warn({ err }, 'ai: releasing the user generation slot failed; it expires on its own'));
    return released;
  };
  ctx.signal.addEventListener('abort', release, { once: true });
  try {
    return await generateInWorkerSlot(ctx, messages);
  } finally {
    ctx.signal.removeEventListener('abort', release);
    await release();
  }
}

async function generateInWorkerSlot(ctx: CommandContext<AiDeps>, messages: ChatMessage[]): Promise<StreamedAnswer> {
  const { provider, workerSlots, settings } = ctx.deps;
  await workerSlots.acquire(ctx.signal);
  aiGenerationsRunning.inc();
  const started = Date.now();
  const coalescer = new ProgressCoalescer({ intervalMs: settings.progressIntervalMs, maxChars: settings.progressChars, push: (p) => ctx.progress(p) });
  try {
    const answer = await streamAnswer(provider, { messages, maxTokens: settings.maxAnswerTokens }, {
      signal: ctx.signal,
      maxChars: AI_LIMITS.answerChars,
      onText: (text) => {
        if (coalescer.chars === 0) aiFirstChunkLatency.observe((Date.now() - started) / 1000);
        coalescer.add(text);
      },
    });
    coalescer.flush();
    await countUsage(ctx, answer.usage, 'completed');
    return answer;
  } catch (err) {
    coalescer.discard();
    if (ctx.signal.aborted) {
      const prompt = messages.reduce((n, m) => n + m.content.length, 0);
      const partial: ChatUsage = { promptTokens: estimateTokens(prompt), completionTokens: estimateTokens(coalescer.chars), estimated: true };
      await countUsage(ctx, partial, 'cancelled').catch((e: unknown) => ctx.log.warn({ err: e }, 'ai: counting the usage of an aborted generation failed'));
    } else {
      aiGenerations.inc({ outcome: 'failed' });
    }
    throw err;
  } finally {
    aiGenerationsRunning.dec();
    workerSlots.release();
  }
}

async function countUsage(ctx: CommandContext<AiDeps>, usage: ChatUsage, outcome: 'completed' | 'cancelled'): Promise<void> {
  aiGenerations.inc({ outcome });
  aiTokens.inc({ part: 'prompt' }, usage.promptTokens);
  aiTokens.inc({ part: 'completion' }, usage.completionTokens);
  await ctx.deps.usage.record(ctx.user, ctx.key, usage, outcome, Date.now());
}
