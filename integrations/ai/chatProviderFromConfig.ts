/** Picks the ChatProvider SY_AI_PROVIDER names and says in the log which one answers. */
import type { Config, Logger } from '../../platform/index.js';
import type { ChatProvider } from './chatProvider.js';
import { OpenAiCompatibleChatProvider, openAiCompatibleOptionsFromConfig } from './openAiCompatibleChatProvider.js';
import { SimulatedChatProvider } from './simulatedChatProvider.js';

export function chatProviderFromConfig(config: Config, logger?: Logger): ChatProvider {
  if (config.aiProvider === 'simulated') {
    logger?.warn({ ai: { provider: 'simulated' } }, 'AI provider is SIMULATED: answers are canned and no model is called (set SY_AI_PROVIDER=openai for a real one)');
    return new SimulatedChatProvider(logger ? { logger } : {});
  }
  const options = openAiCompatibleOptionsFromConfig(config);
  if (logger) options.logger = logger;
  logger?.info({ ai: { provider: 'openai-compatible', baseUrl: config.aiBaseUrl, model: config.aiModel } }, 'AI provider ready');
  return new OpenAiCompatibleChatProvider(options);
}
