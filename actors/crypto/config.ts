/**
 * The crypto payments feature's settings (actors/crypto/README.md;
 * platform/config.ts: how sections compose; registered in actors/registry.ts).
 */
import Type from 'typebox';
import { defineConfigSection, field, type SectionValues } from '../../platform/index.js';

const FIELDS = {
  cryptoRpcUrl: field('SY_CRYPTO_RPC_URL', Type.String({ default: '', pattern: '^(|https?://.+)$', description: 'JSON-RPC URL of the Ethereum node the crypto actor reads (`npm start` runs a local Hardhat node). Empty: crypto payments are not configured.' })),
  cryptoRpcTimeoutMs: field('SY_CRYPTO_RPC_TIMEOUT_MS', Type.Integer({ default: 10000, minimum: 100, maximum: 120000, description: 'Timeout of one JSON-RPC request to the Ethereum node, ms.' })),
  cryptoXpub: field('SY_CRYPTO_XPUB', Type.String({ default: '', maxLength: 200, description: 'BIP32 extended PUBLIC key (xpub) the per-order deposit addresses are derived from; the private key is never configured here.' })),
  cryptoConfirmations: field('SY_CRYPTO_CONFIRMATIONS', Type.Integer({ default: 12, minimum: 1, maximum: 1000, description: 'Blocks (the payment\'s own included) before a crypto payment counts as confirmed and the order as paid.' })),
  cryptoOrderTtlS: field('SY_CRYPTO_ORDER_TTL_S', Type.Integer({ default: 3600, minimum: 1, maximum: 2592000, description: 'How long a crypto order waits for its payment before it expires, seconds.' })),
  cryptoTokenAddress: field('SY_CRYPTO_TOKEN_ADDRESS', Type.String({ default: '', pattern: '^(|0x[0-9a-fA-F]{40})$', description: 'ERC-20 contract accepted beside native ETH (a stablecoin; `npm start` deploys a test token). Empty: ETH only.' })),
  cryptoTokenSymbol: field('SY_CRYPTO_TOKEN_SYMBOL', Type.String({ default: 'TUSD', pattern: '^[A-Z][A-Z0-9]{1,9}$', description: 'Asset name clients use for the ERC-20 of SY_CRYPTO_TOKEN_ADDRESS.' })),
  cryptoTokenDecimals: field('SY_CRYPTO_TOKEN_DECIMALS', Type.Integer({ default: 6, minimum: 0, maximum: 36, description: 'Decimals of the ERC-20 of SY_CRYPTO_TOKEN_ADDRESS.' })),
  cryptoStartBlock: field('SY_CRYPTO_START_BLOCK', Type.Integer({ default: -1, minimum: -1, description: 'Block the chain watcher starts after when it has no checkpoint yet; -1: the chain head at its first tick.' })),
  cryptoBlocksPerTick: field('SY_CRYPTO_BLOCKS_PER_TICK', Type.Integer({ default: 20, minimum: 1, maximum: 1000, description: 'Most blocks the chain watcher reads per tick (500 ms) before it commits its checkpoint.' })),
} as const;

export const CRYPTO_CONFIG = defineConfigSection('crypto payments', 'actors/crypto', FIELDS);

declare module '../../platform/config.js' {
  interface Config extends SectionValues<typeof FIELDS> {}
}
