/**
 * Events of the crypto feature, published from the order's outbox after
 * the change is committed (at least once; dedupe by `seq` / `id`).
 *
 * To the payer: `crypto.order` with the CryptoOrderView on topic
 * `user.<payer>` on every change — a transfer seen, each new confirmation
 * (k of `required`), paid, expired. Domain events: `evt.crypto.<status>`
 * whenever an order enters a status.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { domainEventSchema } from '../messages.js';
import { CryptoOrderStatus, CryptoOrderView } from './views.js';

export const CRYPTO_ORDER_EVENT = 'crypto.order';

export const CryptoStatusChanged = Type.Object({
  order: CryptoOrderView,
  user: Type.String(),
  previous: Type.Union([CryptoOrderStatus, Type.Null()]),
}, { additionalProperties: false });
export type CryptoStatusChanged = Static<typeof CryptoStatusChanged>;

export const CRYPTO_DOMAIN_EVENTS = {
  awaiting: CryptoStatusChanged,
  underpaid: CryptoStatusChanged,
  seen: CryptoStatusChanged,
  paid: CryptoStatusChanged,
  overpaid: CryptoStatusChanged,
  expired: CryptoStatusChanged,
} as const satisfies Record<CryptoOrderStatus, TSchema>;

export type CryptoDomainEventName = keyof typeof CRYPTO_DOMAIN_EVENTS;

export function cryptoDomainEvent<N extends CryptoDomainEventName>(name: N) {
  return domainEventSchema('crypto', name, CRYPTO_DOMAIN_EVENTS[name], 'The order.');
}
