/**
 * Reading an EVM chain over JSON-RPC (viem): block headers, the plain ETH
 * transfers of a block, and the ERC-20 Transfer logs of a block. The chain
 * watcher (actors/crypto) works only through this interface.
 *
 * Contracts:
 * - a block is read by number and everything in it by that block's HASH
 *   (logs by `blockHash`), so one block's contents never mix two forks;
 * - a native transfer is a transaction with a value to an address, whose
 *   receipt says success (ETH sent by contracts — internal transactions —
 *   is not seen: that needs tracing, which not every node offers);
 * - every failure (network, timeout, an error answer) is an IntegrationError
 *   UNAVAILABLE: transient, the runtime retries the watcher's tick.
 */
import { createPublicClient, getAddress, http, parseAbiItem, type PublicClient } from 'viem';
import { IntegrationError } from '../integrationError.js';
import { measureVendorCall } from '../vendorCallMetrics.js';

export interface BlockHeader {
  number: number;
  hash: string;
  parentHash: string;
  /** Epoch seconds. */
  timestamp: number;
}

/** A value moved to `to` in a block: a native transfer (logIndex 'native') or an ERC-20 Transfer log. */
export interface ObservedTransfer {
  txHash: string;
  logIndex: number | 'native';
  /** The ERC-20 contract; absent for native ETH. */
  token?: string;
  from: string;
  /** Checksummed. */
  to: string;
  amount: bigint;
}

export interface ChainReader {
  chainId(): Promise<number>;
  /** The newest block number. */
  head(): Promise<number>;
  /** The block at `number` on the node's current chain; undefined past the head. */
  header(number: number): Promise<BlockHeader | undefined>;
  /** Successful plain ETH transfers and the Transfer logs of `tokens`, in block `hash`. */
  transfersIn(block: BlockHeader, tokens: readonly string[]): Promise<ObservedTransfer[]>;
}

export const TRANSFER_EVENT = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');

export interface ViemChainReaderOptions {
  rpcUrl: string;
  /** One JSON-RPC request. @default 10000 */
  timeoutMs?: number;
}

function unavailable(what: string, cause: unknown): IntegrationError {
  const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new IntegrationError('crypto', 'UNAVAILABLE', `The chain node did not answer ${what}: ${reason}`, { cause });
}

export class ViemChainReader implements ChainReader {
  private readonly client: PublicClient;
  private cachedChainId: number | undefined;

  constructor(options: ViemChainReaderOptions) {
    this.client = createPublicClient({ transport: http(options.rpcUrl, { timeout: options.timeoutMs ?? 10_000, retryCount: 0 }) });
  }

  /** One JSON-RPC call, counted and timed under its method name (a fixed set: the label stays bounded). */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    return measureVendorCall('crypto', what.replace(/\(.*$/, ''), async () => {
      try {
        return await run();
      } catch (err) {
        throw unavailable(what, err);
      }
    });
  }

  async chainId(): Promise<number> {
    this.cachedChainId ??= await this.call('eth_chainId', () => this.client.getChainId());
    return this.cachedChainId;
  }

  async head(): Promise<number> {
    return Number(await this.call('eth_blockNumber', () => this.client.getBlockNumber({ cacheTime: 0 })));
  }

  async header(number: number): Promise<BlockHeader | undefined> {
    const block = await this.call(`eth_getBlockByNumber(${number})`, () => this.client.getBlock({ blockNumber: BigInt(number) }).catch((err: unknown) => {
      if (err instanceof Error && err.name === 'BlockNotFoundError') return undefined;
      throw err;
    }));
    if (!block || block.hash === null) return undefined;
    return { number: Number(block.number), hash: block.hash, parentHash: block.parentHash, timestamp: Number(block.timestamp) };
  }

  async transfersIn(block: BlockHeader, tokens: readonly string[]): Promise<ObservedTransfer[]> {
    const hash = block.hash as `0x${string}`;
    const full = await this.call(`eth_getBlockByHash(${hash})`, () => this.client.getBlock({ blockHash: hash, includeTransactions: true }));
    const transfers: ObservedTransfer[] = [];
    for (const tx of full.transactions) {
      if (tx.to === null || tx.value === 0n) continue;
      const receipt = await this.call(`eth_getTransactionReceipt(${tx.hash})`, () => this.client.getTransactionReceipt({ hash: tx.hash }));
      if (receipt.status !== 'success' || receipt.blockHash !== hash) continue;
      transfers.push({ txHash: tx.hash, logIndex: 'native', from: getAddress(tx.from), to: getAddress(tx.to), amount: tx.value });
    }
    if (tokens.length > 0) {
      const logs = await this.call(`eth_getLogs(${hash})`, () => this.client.getLogs({ address: tokens.map((t) => getAddress(t)), event: TRANSFER_EVENT, blockHash: hash }));
      for (const log of logs) {
        if (log.removed || log.args.to === undefined || log.args.from === undefined || log.args.value === undefined) continue;
        transfers.push({ txHash: log.transactionHash, logIndex: log.logIndex, token: getAddress(log.address), from: getAddress(log.args.from), to: getAddress(log.args.to), amount: log.args.value });
      }
    }
    return transfers;
  }
}
