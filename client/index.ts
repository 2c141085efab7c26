/** The switchyard client SDK for browsers and Node (depends only on protocol/). */
export { SwitchyardClient } from './switchyardClient.js';
export type {
  ClientOptions, CommandHandle, ConnectionState, RecoveryInfo, SendOptions, WebSocketConstructor, WebSocketLike,
} from './switchyardClient.js';
export { ClientError } from './clientError.js';
export { Backoff } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
