/** ai: conversations in `entities_ai`, one document per conversation id. */
import { entityRepository } from '../runtime/index.js';
import { initialConversation, type ConversationState } from './conversationService.js';

export const conversationRepository = entityRepository<ConversationState>({ initialState: initialConversation });
