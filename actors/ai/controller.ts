/**
 * ai: the handlers. `chat` builds the context from the conversation
 * (service), generates the answer (chatGeneration.ts: limits, streaming,
 * usage), and decides the new state, the result and the
 * `answer.completed` domain event — committed together, exactly once.
 */
import type { AiAnswerCompleted, AiChatResult, AiCommandData, AiHistoryResult, AiTurn } from '../../protocol/index.js';
import type { Controller } from '../runtime/index.js';
import { generateAnswer } from './chatGeneration.js';
import { contextFor, historyPage, postClientId, withExchange, type ConversationState } from './conversationService.js';
import type { AiDeps } from './dependencies.js';

export const chatController: Controller<ConversationState, AiCommandData<'chat'>, AiDeps> = async (state, data, ctx) => {
  const { provider, settings } = ctx.deps;
  const context = contextFor(state, data.text, settings.contextChars);
  const answer = await generateAnswer(ctx, context.messages);
  const { simulated } = provider.info;
  const question: AiTurn = { role: 'user', text: data.text, at: ctx.now, command: ctx.commandId };
  const reply: AiTurn = { role: 'assistant', text: answer.text, at: Date.now(), command: ctx.commandId, ...(simulated ? { simulated } : {}) };
  const next = withExchange(state, ctx.user, question, reply);
  const result: AiChatResult = {
    answer: answer.text, turn: next.answers, provider: provider.info.provider, model: answer.model, simulated,
    finishReason: answer.finishReason, usage: answer.usage, context: { turns: context.turns, dropped: context.dropped },
  };
  const completed: AiAnswerCompleted = {
    conversation: ctx.entity, user: ctx.user, command: ctx.commandId, turn: next.answers, answer: answer.text, model: answer.model, simulated,
    ...(data.postTo ? { postTo: { room: data.postTo.room, clientId: postClientId(ctx.key) } } : {}),
  };
  ctx.log.debug({ ai: { provider: provider.info.provider, simulated, model: answer.model, chars: answer.text.length, usage: answer.usage } }, 'ai answer generated');
  return { state: next, result, domainEvents: [{ name: 'answer.completed', data: completed }] };
};

export const historyController: Controller<ConversationState, AiCommandData<'history'>, AiDeps> = (state, data) => {
  const page: AiHistoryResult = historyPage(state, data?.limit);
  return { result: page };
};
