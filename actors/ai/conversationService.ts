/**
 * ai: the conversation's domain logic — pure (no I/O, no clock: times come
 * from the caller). A conversation keeps its latest turns; what is sent to
 * the model is the newest part of them that fits a character budget.
 */
import { createHash } from 'node:crypto';
import { AI_LIMITS, type AiHistoryResult, type AiTurn } from '../../protocol/index.js';
import type { ChatMessage } from '../../integrations/index.js';

export interface ConversationState {
  /** The user whose conversation this is: the sender of its first `chat`; '' before. */
  owner: string;
  /** Questions and answers in order, the latest AI_LIMITS.storedTurns of them. */
  turns: AiTurn[];
  /** Answers stored so far, including those dropped from `turns`. */
  answers: number;
}

export function initialConversation(): ConversationState {
  return { owner: '', turns: [], answers: 0 };
}

/** Whether `user` may use the conversation: it is theirs, or nobody's yet. */
export function mayUse(state: ConversationState, user: string): boolean {
  return state.owner === '' || state.owner === user;
}

export interface ChatContext {
  /** Earlier turns that fit the budget, oldest first, then the question. */
  messages: ChatMessage[];
  /** Earlier turns included. */
  turns: number;
  /** Stored turns left out for the budget. */
  dropped: number;
}

/**
 * The context for answering `question`: the question and as many of the
 * newest stored turns as fit `budgetChars` together with it, dropping the
 * oldest first. It never starts with an answer whose question was dropped.
 * The question alone always goes (its length is bounded by the schema).
 */
export function contextFor(state: ConversationState, question: string, budgetChars: number): ChatContext {
  let used = question.length;
  let start = state.turns.length;
  while (start > 0 && used + state.turns[start - 1]!.text.length <= budgetChars) {
    start--;
    used += state.turns[start]!.text.length;
  }
  while (start < state.turns.length && state.turns[start]!.role === 'assistant') start++;
  const included = state.turns.slice(start);
  return {
    messages: [...included.map((t): ChatMessage => ({ role: t.role, content: t.text })), { role: 'user', content: question }],
    turns: included.length,
    dropped: start,
  };
}

/**
 * The state after one answered question: both turns appended, the oldest
 * exchanges dropped beyond AI_LIMITS.storedTurns or .storedChars (never the
 * newest one).
 */
export function withExchange(state: ConversationState, owner: string, question: AiTurn, answer: AiTurn): ConversationState {
  const turns = [...state.turns, question, answer];
  let chars = turns.reduce((n, t) => n + t.text.length, 0);
  let start = 0;
  while (turns.length - start > 2 && (turns.length - start > AI_LIMITS.storedTurns || chars > AI_LIMITS.storedChars)) {
    chars -= turns[start]!.text.length + turns[start + 1]!.text.length;
    start += 2;
  }
  return { owner: state.owner || owner, turns: start > 0 ? turns.slice(start) : turns, answers: state.answers + 1 };
}

export function historyPage(state: ConversationState, limit: number = AI_LIMITS.historyLimit): AiHistoryResult {
  return { turns: state.turns.slice(-limit), answers: state.answers };
}

/**
 * The messaging `clientId` for posting the answer of one chat command:
 * stable per command key (so a redelivered event posts nothing new) and
 * within messaging's id pattern and length.
 */
export function postClientId(commandKey: string): string {
  return `ai:${createHash('sha256').update(commandKey).digest('base64url').slice(0, 32)}`;
}
