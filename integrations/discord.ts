/**
 * Discord notifications through a channel webhook — the only file that
 * imports a Discord library.
 *
 * Library: discord.js's `WebhookClient`, which posts to a webhook without a
 * gateway connection. Its REST manager (@discordjs/rest, inside discord.js)
 * owns Discord's rate-limit rules: it waits out a 429 for the `Retry-After`
 * header before sending again, and throttles ahead of time from
 * `X-RateLimit-Remaining` / `X-RateLimit-Reset-After` (including the global
 * limit).
 *
 * Bounds, so a notification never holds up its caller for long: one
 * `timeoutMs` budget per notification covers requests, retries and
 * rate-limit waits; a rate limit longer than the whole budget fails at once
 * as transient (the runtime retries later) instead of sleeping.
 *
 * discord.js is loaded when a notifier is made, in the background, not at
 * import: a process with Discord off does not pay its load time. The load
 * is awaited before a notification's time budget starts, so a slow load can
 * never turn into a late second post.
 *
 * Not idempotent: Discord webhooks have no idempotency key. If a request
 * reaches Discord but its answer is lost (timeout, network), the runtime's
 * retry posts the message a second time.
 */
import type { APIEmbed, WebhookClient } from 'discord.js';
import type { Config, Logger } from '../platform/index.js';
import { IntegrationError } from './integrationError.js';
import { DisabledNotifier, type NotificationMessage, type Notifier, type NotifyReceipt } from './notifier.js';
import { countVendorRetry, measureVendorCall } from './vendorCallMetrics.js';

export interface DiscordWebhookOptions {
  /** `https://discord.com/api/webhooks/<id>/<token>`; only the id and token are used, the host comes from `apiBase`. */
  webhookUrl: string;
  /** API base without version; tests point it at a local server. @default 'https://discord.com/api' */
  apiBase?: string;
  /** Longest one notification may take, requests, retries and rate-limit waits included, ms. @default 15000 */
  timeoutMs?: number;
  /** Immediate re-sends after a 5xx or a dropped connection (the runtime retries with backoff beyond that). @default 1 */
  retries?: number;
  logger?: Logger;
}

export const DISCORD_DEFAULTS = { apiBase: 'https://discord.com/api', timeoutMs: 15_000, retries: 1 } as const;

/** Discord's limits on a message. */
const MAX_CONTENT_CHARS = 2000;
const MAX_EMBEDS = 10;

const WEBHOOK_PATH = /\/webhooks\/(\d+)\/([^/?#]+)\/?$/;

type DiscordJs = typeof import('discord.js');
let discordJs: Promise<DiscordJs> | undefined;
/** discord.js, imported once, on first use. */
function loadDiscordJs(): Promise<DiscordJs> {
  discordJs ??= import('discord.js');
  return discordJs;
}

export class DiscordWebhookNotifier implements Notifier {
  private readonly id: string;
  private readonly token: string;
  private readonly apiBase: string;
  private readonly retries: number;
  private readonly timeoutMs: number;
  private readonly logger: Logger | undefined;
  private webhook: Promise<WebhookClient> | undefined;

  constructor(options: DiscordWebhookOptions) {
    const match = WEBHOOK_PATH.exec(new URL(options.webhookUrl).pathname);
    if (!match) throw new IntegrationError('discord', 'VENDOR_REJECTED', 'SY_DISCORD_WEBHOOK_URL is not a Discord webhook URL (…/webhooks/<id>/<token>).');
    this.id = match[1]!;
    this.token = match[2]!;
    this.apiBase = (options.apiBase ?? DISCORD_DEFAULTS.apiBase).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DISCORD_DEFAULTS.timeoutMs;
    this.retries = options.retries ?? DISCORD_DEFAULTS.retries;
    this.logger = options.logger;
    this.client().catch(() => { /* reported by the first notify */ });
  }

  /** The webhook client, created on first use (see the header). */
  private client(): Promise<WebhookClient> {
    this.webhook ??= loadDiscordJs().then(({ WebhookClient }) => {
      const webhook = new WebhookClient({ id: this.id, token: this.token }, {
        // Text from payments (names, descriptions) must never ping @everyone or anyone else.
        allowedMentions: { parse: [] },
        rest: {
          api: this.apiBase,
          version: '10',
          // WebhookClient.send takes no abort signal, so every attempt must end
          // inside the budget by itself: the budget is split between the attempts.
          timeout: Math.max(1, Math.floor(this.timeoutMs / (this.retries + 1))),
          retries: this.retries,
          // Waiting longer than the whole budget cannot succeed in time: fail now, transient.
          rejectOnRateLimit: (limit) => limit.retryAfter >= this.timeoutMs,
        },
      });
      webhook.rest.on('response', (_request, response) => {
        if (response.status === 429) countVendorRetry('discord', 'rate_limited');
        else if (response.status >= 500) countVendorRetry('discord', 'server_error');
      });
      return webhook;
    });
    return this.webhook;
  }

  notify(message: NotificationMessage, idempotencyKey?: string): Promise<NotifyReceipt> {
    return measureVendorCall('discord', 'notify', async () => {
      const webhook = await this.client();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new IntegrationError('discord', 'UNAVAILABLE', 'Discord did not take the notification in time; it will be retried.', { details: { timeoutMs: this.timeoutMs } }));
        }, this.timeoutMs);
      });
      // WebhookClient.send asks Discord to wait for the message (`?wait=true`).
      // Its attempts end by their own timeouts within the budget; the deadline
      // only guards against a rate-limit wait that outlasts it.
      const post = webhook.send(toWebhookMessage(message));
      post.catch(() => { /* settled by the race below */ });
      try {
        const posted = await Promise.race([post, deadline]) as { id?: unknown };
        const receipt: NotifyReceipt = { delivered: true };
        if (typeof posted?.id === 'string') receipt.messageId = posted.id;
        this.logger?.debug({ idempotencyKey, messageId: receipt.messageId }, 'discord notification delivered');
        return receipt;
      } catch (err) {
        const failure = discordFailure(err, await loadDiscordJs());
        this.logger?.warn({ idempotencyKey, code: failure.code, details: failure.details }, 'discord notification failed');
        throw failure;
      } finally {
        clearTimeout(timer);
      }
    });
  }
}

/** A Discord notifier when SY_DISCORD_WEBHOOK_URL is set, else one that skips notifications. */
export function notifierFromConfig(config: Config, logger?: Logger): Notifier {
  if (!config.discordWebhookUrl) {
    logger?.info('discord notifications are off (SY_DISCORD_WEBHOOK_URL is empty)');
    return new DisabledNotifier();
  }
  const options: DiscordWebhookOptions = { webhookUrl: config.discordWebhookUrl, apiBase: config.discordApiBase, timeoutMs: config.discordTimeoutMs };
  if (logger) options.logger = logger;
  return new DiscordWebhookNotifier(options);
}

function toWebhookMessage(message: NotificationMessage): { content: string; embeds?: APIEmbed[] } {
  const content = message.content.length > MAX_CONTENT_CHARS ? `${message.content.slice(0, MAX_CONTENT_CHARS - 1)}…` : message.content;
  if (!message.embeds || message.embeds.length === 0) return { content };
  return { content, embeds: message.embeds.slice(0, MAX_EMBEDS) as APIEmbed[] };
}

/**
 * Maps what discord.js's REST manager throws to a switchyard code. The library's errors
 * carry the request URL, which holds the webhook token, so they are not kept
 * as `cause`; status and Discord's error code go into details instead.
 */
function discordFailure(err: unknown, { DiscordAPIError, HTTPError, RateLimitError }: DiscordJs): IntegrationError {
  if (err instanceof IntegrationError) return err;
  if (err instanceof RateLimitError) {
    return new IntegrationError('discord', 'UNAVAILABLE', 'Discord is rate limiting this webhook for longer than the notification may wait; it will be retried.', {
      details: { retryAfterMs: err.retryAfter, global: err.global },
    });
  }
  if (err instanceof DiscordAPIError) {
    const details = { status: err.status, discordCode: err.code };
    if (err.status === 401 || err.status === 403 || err.status === 404) {
      return new IntegrationError('discord', 'VENDOR_REJECTED', 'Discord refused the webhook (deleted, or a wrong id or token).', { details });
    }
    if (err.status >= 500) return new IntegrationError('discord', 'UNAVAILABLE', 'Discord had an internal error; it will be retried.', { details });
    return new IntegrationError('discord', 'VALIDATION', 'Discord refused the message as invalid.', { details });
  }
  if (err instanceof HTTPError) {
    return new IntegrationError('discord', 'UNAVAILABLE', 'Discord had an internal error; it will be retried.', { details: { status: err.status } });
  }
  return new IntegrationError('discord', 'UNAVAILABLE', 'Discord could not be reached or did not answer in time; it will be retried.', {
    details: { error: (err as { name?: unknown } | null)?.name ?? 'unknown' },
  });
}
