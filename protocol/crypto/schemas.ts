/** Every schema of the crypto feature by name, for the JSON Schema export (schema/crypto.json). */
import type { TSchema } from 'typebox';
import { ChainTransfer, CryptoCommands, CryptoTransferObserved } from './commands.js';
import { CRYPTO_DOMAIN_EVENTS, CryptoStatusChanged, cryptoDomainEvent } from './events.js';
import { CryptoLedgerEntry, CryptoLedgerResult, CryptoOrderStatus, CryptoOrderView } from './views.js';

function pascal(name: string): string {
  return name.split(/[._]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

export const CRYPTO_SCHEMAS: Record<string, TSchema> = {
  ...Object.fromEntries(Object.entries(CryptoCommands).map(([name, schema]) => [`Crypto${pascal(name)}Command`, schema])),
  CryptoOrderView, CryptoOrderStatus, CryptoLedgerEntry, CryptoLedgerResult, CryptoStatusChanged,
  ...Object.fromEntries(Object.keys(CRYPTO_DOMAIN_EVENTS).map((name) => [`Crypto${pascal(name)}DomainEvent`, cryptoDomainEvent(name as keyof typeof CRYPTO_DOMAIN_EVENTS)])),
  CryptoTransferObserved, ChainTransfer,
};
