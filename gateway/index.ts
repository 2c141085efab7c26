/** The WebSocket/HTTP/Socket.IO gateway. */
export { Gateway } from './gateway.js';
export type { GatewayDeps } from './gateway.js';
export { loadNativeUws, NativeUwsUnavailableError } from './nativeUws.js';
export type { Uws } from './nativeUws.js';
export { TokenVerifier } from './tokenVerifier.js';
export type { VerifiedToken } from './tokenVerifier.js';
export { CommandPublisher } from './commandPublisher.js';
export { rateWindowKey } from './rateLimiter.js';
export type { RateLimitOptions } from './rateLimiter.js';
export { sessionKey } from './sessionStore.js';
export type { SessionRecord } from './sessionStore.js';
export { httpCommandSession } from './httpCommandStatus.js';
export { newTraceparent } from './traceContext.js';
export { GATEWAY_CONFIG } from './gatewayConfig.js';
