/** Vendor integrations behind switchyard's own interfaces; the only place vendor SDKs are imported. */
export { IntegrationError } from './integrationError.js';
export type { Vendor } from './integrationError.js';
export { MAX_LIST_LIMIT } from './paymentGateway.js';
export type {
  PaymentGateway, PaymentWebhookVerifier, PaymentWebhookEvent, VerifyWebhookOptions,
  PaymentIntentRecord, PaymentIntentStatus, RefundRecord, ChargeRecord,
  CreatePaymentIntentInput, CreateRefundInput, ListRecentPaymentIntentsInput,
} from './paymentGateway.js';
export {
  StripePaymentGateway, StripeWebhookVerifier, STRIPE_DEFAULTS, stripeTestSignatureHeader,
  stripePaymentGatewayFromConfig, stripeWebhookVerifierFromConfig,
} from './stripe.js';
export type { StripeGatewayOptions, StripeWebhookOptions, StripeApiCall } from './stripe.js';
export { toPaymentIntentSnapshot, toChargeSnapshot, toRefundSnapshot, toStripeEventCommand } from './paymentSnapshots.js';
export { DisabledNotifier } from './notifier.js';
export type { Notifier, NotificationMessage, NotificationEmbed, NotifyReceipt } from './notifier.js';
export { DiscordWebhookNotifier, DISCORD_DEFAULTS, notifierFromConfig } from './discord.js';
export type { DiscordWebhookOptions } from './discord.js';
export { estimateTokens } from './ai/chatProvider.js';
export type { ChatProvider, ChatProviderInfo, ChatRequest, ChatMessage, ChatChunk, ChatUsage, ChatStreamOptions } from './ai/chatProvider.js';
export { OpenAiCompatibleChatProvider, OPENAI_COMPATIBLE_DEFAULTS, openAiCompatibleOptionsFromConfig } from './ai/openAiCompatibleChatProvider.js';
export type { OpenAiCompatibleOptions } from './ai/openAiCompatibleChatProvider.js';
export { SimulatedChatProvider, SIMULATED_LABEL } from './ai/simulatedChatProvider.js';
export type { SimulatedChatOptions } from './ai/simulatedChatProvider.js';
export { chatProviderFromConfig } from './ai/chatProviderFromConfig.js';
export { DepositAddresses, addressOfPublicKey } from './crypto/depositAddresses.js';
export type { DepositAddress } from './crypto/depositAddresses.js';
export { ViemChainReader, TRANSFER_EVENT } from './crypto/chainReader.js';
export type { ChainReader, BlockHeader, ObservedTransfer, ViemChainReaderOptions } from './crypto/chainReader.js';
export { paymentUri } from './crypto/paymentUri.js';
export type { PaymentRequest } from './crypto/paymentUri.js';
export { DevChain, DEV_MNEMONIC, devDepositXpub } from './crypto/devChain.js';
export type { ContractArtifact } from './crypto/devChain.js';
export { INTEGRATION_METRICS } from './metrics.js';
export { INTEGRATIONS_CONFIG } from './integrationsConfig.js';
