/** The wire contract: frames, NATS subjects, headers, messages and error codes. Depends on nothing of ours. */
export { ERROR_CODES, ERROR_CODE_NAMES, SwitchyardError, isErrorCode, toErrorBody } from './errors.js';
export type { ErrorBody, ErrorCode } from './errors.js';
export {
  PROTOCOL_LIMITS, CLIENT_FRAMES, SERVER_FRAMES,
  CommandId, ActorName, EntityId, CommandName, TopicName, Seq, TraceParent, ErrorBodySchema,
  HelloFrame, ResumeRequest, CmdFrame, SubFrame, UnsubFrame, PingFrame,
  WelcomeFrame, AcceptedFrame, RejectedFrame, ResultFrame, EventFrame, ProgressFrame,
  SubscribedFrame, UnsubscribedFrame, ErrorFrame, PongFrame,
} from './frames.js';
export type { ClientFrame, ClientFrameType, ServerFrame } from './frames.js';
export { parseClientFrame } from './clientFrameParser.js';
export type { ParsedClientFrame } from './clientFrameParser.js';
export { STREAMS, SUBJECT_ROOTS, subjects, partitionOf, subjectToken, parseCommandSubject, sessionRoute, pushAudience } from './subjects.js';
export type { PushAudience } from './subjects.js';
export { HEADERS, commandKey, epochMillis, traceIdOf } from './headers.js';
export { commandMessage } from './commandMessage.js';
export type { CommandMessage, CommandSender, CommandToSend } from './commandMessage.js';
export type { CommandBody, PushBody, DomainEventBody } from './messages.js';
export { HTTP_BODIES, HttpCommandRequest, HttpCommandAccepted, HttpCommandResult, HttpCommandStatus, HttpErrorResponse } from './http.js';
export { SERVICE_MESSAGES, AclRequest, AclReply, AclInvalidation, SessionTakeover, GatewayControl } from './services.js';
export {
  AI_LIMITS, AI_DOMAIN_EVENTS, AiCommands, AiPostTo, AiChatProgress, AiUsage, AiChatResult, AiTurn, AiHistoryResult,
  AiAnswerCompleted, AiAnswerCompletedEvent,
} from './ai.js';
export type { AiCommandName, AiCommandData } from './ai.js';
export { ROOM_ACTOR, MESSAGING_LIMITS, DIRECT_ROOM_PREFIX, roomTopic, roomOfTopic, userTopic } from './messaging/limits.js';
export { directRoomId } from './messaging/directRoom.js';
export { RoomCommands, InboxCommands, MessagingUserId, MessageSeq, MessageText, ClientMessageId, Reaction, RoomRole } from './messaging/commands.js';
export type { RoomCommandName, RoomCommandData, InboxCommandName, InboxCommandData } from './messaging/commands.js';
export { Message, ReactionCount, RoomKind, RoomView, HistoryPage, InboxRoom, InboxPage } from './messaging/views.js';
export { AI_ANSWER_POST_COMMAND, AI_ANSWER_POST_SENDER, AiAnswerPost, aiAnswerPostCommandId } from './messaging/aiAnswerPost.js';
export {
  MESSAGING_DOMAIN_EVENTS, MESSAGING_EPHEMERAL_EVENTS, messagingDomainEvent,
  MessageChanged, MessageDeleted, ReactionChanged, RoomCreated, MemberInvited, MemberJoined, MemberLeft, MemberRoleChanged,
  PresenceChanged, PresenceLeft, Typing,
} from './messaging/events.js';
export type { MessagingDomainEventName, MessagingEphemeralEventName, MessagingEventData } from './messaging/events.js';
export { SYSTEM_COMMAND_ORIGIN, SYSTEM_SENDER_PREFIX } from './systemCommands.js';
export { PAYMENTS_ACTOR, PAYMENTS_LIMITS, ORDER_METADATA_KEY, PaymentCommands, Amount, Currency, RefundReason } from './payments/commands.js';
export type { PaymentCommandName, PaymentCommandData } from './payments/commands.js';
export {
  STRIPE_EVENT_COMMAND, STRIPE_WEBHOOK_SENDER, orderInMetadata, orderOfStripeEvent, StripeEventCommand, PaymentIntentSnapshot, PaymentIntentStatus, ChargeSnapshot, RefundSnapshot,
} from './payments/stripeEvents.js';
export {
  OrderStatus, OrderView, CheckoutResult, RefundView, RefundResult, LedgerLine, LedgerEntryView, LedgerResult,
} from './payments/views.js';
export { PAYMENTS_ORDER_EVENT, PAYMENTS_DOMAIN_EVENTS, PaymentsStatusChanged, paymentsUserTopic, paymentsDomainEvent } from './payments/events.js';
export type { PaymentsDomainEventName } from './payments/events.js';
export {
  CRYPTO_ACTOR, CRYPTO_LIMITS, CHAIN_WATCHER_SENDER, CHAIN_TRANSFER_COMMAND, CryptoCommands, CryptoAsset, CryptoAmount, BaseUnits,
  ChainTransfer, CryptoTransferObserved, chainTransferId, chainTransferCommandId,
} from './crypto/commands.js';
export type { CryptoCommandName, CryptoCommandData } from './crypto/commands.js';
export { CryptoOrderStatus, CryptoOrderView, CryptoTransferView, CryptoLedgerLine, CryptoLedgerEntry, CryptoLedgerResult } from './crypto/views.js';
export { CRYPTO_ORDER_EVENT, CRYPTO_DOMAIN_EVENTS, CryptoStatusChanged, cryptoDomainEvent } from './crypto/events.js';
export type { CryptoDomainEventName } from './crypto/events.js';
