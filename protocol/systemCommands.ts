/**
 * Commands switchyard sends itself rather than a client: a verified Stripe
 * webhook forwarded by the gateway, a reconciliation fan-out. They carry a
 * system sender in `Sy-User` (`system:<what>`), no session (their results go
 * nowhere) and a non-client origin in `Sy-Origin`, a header the gateway
 * never sets for client commands — so no client, whatever its JWT says, can
 * pose as one. Routes that take system commands accept only that origin and
 * check the sender.
 *
 * The actor runtime knows the origins client, timer and cron; until it has
 * one for system commands, they travel as `cron` (like a cron tick: no user
 * session, result discarded) and routes tell them from real ticks by the
 * system sender. Their headers are built by commandMessage.ts (sender kind
 * `system`).
 */
export const SYSTEM_COMMAND_ORIGIN = 'cron' as const;

/** Prefix of every system sender (`Sy-User`). */
export const SYSTEM_SENDER_PREFIX = 'system:';
