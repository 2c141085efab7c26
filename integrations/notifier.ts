/**
 * Posting a human-readable notification to a team channel (payment
 * succeeded, failed, refunded). Services receive a Notifier by injection;
 * the Discord implementation is integrations/discord.ts.
 */

/** A rich block under the message (Discord's embed, a subset). */
export interface NotificationEmbed {
  title?: string;
  description?: string;
  url?: string;
  /** 0xRRGGBB */
  color?: number;
  fields?: Array<{ name: string; value: string; inline?: boolean }>;
  /** ISO 8601 */
  timestamp?: string;
}

export interface NotificationMessage {
  /** Plain text; mentions in it never ping anyone. */
  content: string;
  embeds?: NotificationEmbed[];
}

export interface NotifyReceipt {
  /** False when notifications are switched off (no destination configured). */
  delivered: boolean;
  /** The channel's id for the posted message, when delivered. */
  messageId?: string;
}

/**
 * Delivers a notification, waiting out rate limits within a bounded time.
 * Throws IntegrationError: UNAVAILABLE (transient: rate limit longer than the
 * budget, 5xx, network, timeout) — the runtime retries; VALIDATION or
 * VENDOR_REJECTED (final: a bad message, a deleted webhook, a wrong token).
 * `idempotencyKey` correlates logs; whether the destination can drop a
 * duplicate with it depends on the implementation (Discord webhooks cannot).
 */
export interface Notifier {
  notify(message: NotificationMessage, idempotencyKey?: string): Promise<NotifyReceipt>;
}

/** The Notifier used when no destination is configured: drops every message and says so in the receipt. */
export class DisabledNotifier implements Notifier {
  async notify(): Promise<NotifyReceipt> {
    return { delivered: false };
  }
}
