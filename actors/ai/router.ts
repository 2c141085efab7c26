/** ai: command name → validator → controller. `cancel` is the runtime's (it aborts a running `chat`). */
import { defineRouter, route } from '../runtime/index.js';
import { chatController, historyController } from './controller.js';
import type { ConversationState } from './conversationService.js';
import { CHAT_TIMEOUT_MS, type AiDeps } from './dependencies.js';
import { chatValidator, historyValidator } from './validator.js';

export const aiRouter = defineRouter<ConversationState, AiDeps>({
  chat: route(chatValidator, chatController, { timeoutMs: CHAT_TIMEOUT_MS }),
  history: route(historyValidator, historyController),
});
