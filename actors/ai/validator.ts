/** ai: command schemas (protocol/ai.ts) and the one business rule — a conversation is its owner's alone. */
import { AiCommands } from '../../protocol/index.js';
import { BusinessError, commandValidator, type CommandRules } from '../runtime/index.js';
import { mayUse, type ConversationState } from './conversationService.js';

const ownerOnly: CommandRules<ConversationState, unknown> = (_data, state, ctx) => {
  if (!mayUse(state, ctx.user)) throw new BusinessError('FORBIDDEN', 'This conversation belongs to another user; start your own with another conversation id.');
};

export const chatValidator = commandValidator(AiCommands.chat, ownerOnly);
export const historyValidator = commandValidator(AiCommands.history, ownerOnly);
