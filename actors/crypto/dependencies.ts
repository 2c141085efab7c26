/**
 * crypto: what the controllers get as ctx.deps, built once per worker — the
 * chain reader and deposit-address derivation (integrations/crypto), the
 * assets, the Discord notifier, the stores and the watcher's fan-out.
 */
import { jetstream } from '@nats-io/jetstream';
import { DepositAddresses, ViemChainReader, notifierFromConfig, type ChainReader, type Notifier } from '../../integrations/index.js';
import type { ActorPlatform } from '../runtime/index.js';
import { NATIVE_ASSET, configuredAssets, type CryptoAssetConfig } from './assets.js';
import { CryptoLedgerStore } from './cryptoLedgerStore.js';
import { DepositAddressIndex } from './depositAddressIndex.js';
import { TransferCommands } from './transferCommands.js';

export interface CryptoDeps {
  chain: ChainReader;
  depositAddresses: DepositAddresses;
  addresses: DepositAddressIndex;
  ledger: CryptoLedgerStore;
  transfers: TransferCommands;
  notifier: Notifier;
  assets: ReadonlyMap<string, CryptoAssetConfig>;
  /** ERC-20 contracts watched, and their symbols by lower-case address. */
  tokens: string[];
  tokenSymbols: ReadonlyMap<string, string>;
  nativeSymbol: string;
  /** SY_CRYPTO_CONFIRMATIONS */
  confirmations: number;
  /** SY_CRYPTO_ORDER_TTL_S in ms. */
  orderTtlMs: number;
  /** SY_CRYPTO_START_BLOCK; -1 = the head at the first tick. */
  startBlock: number;
  blocksPerTick: number;
}

export async function cryptoDependencies({ db, nc, config, logger }: ActorPlatform): Promise<CryptoDeps> {
  const ledger = new CryptoLedgerStore(db);
  await ledger.ensureIndexes();
  const assets = configuredAssets({ address: config.cryptoTokenAddress, symbol: config.cryptoTokenSymbol, decimals: config.cryptoTokenDecimals });
  const tokenAssets = [...assets.values()].filter((a) => a.token !== undefined);
  return {
    chain: new ViemChainReader({ rpcUrl: config.cryptoRpcUrl, timeoutMs: config.cryptoRpcTimeoutMs }),
    depositAddresses: new DepositAddresses(config.cryptoXpub),
    addresses: new DepositAddressIndex(db),
    ledger,
    transfers: new TransferCommands(jetstream(nc), config.partitions),
    notifier: notifierFromConfig(config, logger),
    assets,
    tokens: tokenAssets.map((a) => a.token!),
    tokenSymbols: new Map(tokenAssets.map((a) => [a.token!.toLowerCase(), a.symbol])),
    nativeSymbol: NATIVE_ASSET.symbol,
    confirmations: config.cryptoConfirmations,
    orderTtlMs: config.cryptoOrderTtlS * 1000,
    startBlock: config.cryptoStartBlock,
    blocksPerTick: config.cryptoBlocksPerTick,
  };
}
