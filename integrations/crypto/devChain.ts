/**
 * A development chain's controls, for `npm start` and the tests only: the
 * node's funded dev account pays (ETH or an ERC-20), deploys the test token,
 * and the node is told to mine, stop or resume mining, snapshot and revert
 * (Hardhat's evm_* methods — a revert followed by new blocks is a reorg as
 * any client sees it: the same heights get other hashes).
 *
 * The dev account is Hardhat's first default account, whose key is public
 * knowledge: it exists only on a local development node.
 */
import { createHash } from 'node:crypto';
import { HDKey } from '@scure/bip32';
import {
  createTestClient, createWalletClient, getAddress, http, publicActions, type Abi, type Hex,
} from 'viem';
import { mnemonicToAccount } from 'viem/accounts';

/** Hardhat's default dev mnemonic (public: never use it on a real network). */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

export interface ContractArtifact {
  abi: Abi;
  bytecode: Hex;
}

export class DevChain {
  private readonly wallet;
  private readonly testClient;

  /** `accountIndex` picks one of the node's funded accounts (0 = the demo's payer). */
  constructor(readonly rpcUrl: string, accountIndex = 0) {
    const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: accountIndex });
    this.wallet = createWalletClient({ account, transport: http(rpcUrl, { retryCount: 0 }) }).extend(publicActions);
    this.testClient = createTestClient({ mode: 'hardhat', transport: http(rpcUrl, { retryCount: 0 }) });
  }

  get account(): string {
    return this.wallet.account.address;
  }

  /** Deploys a contract from the dev account; resolves with its address once mined. */
  async deploy(artifact: ContractArtifact, args: readonly unknown[] = []): Promise<string> {
    const hash = await this.wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args, chain: null });
    const receipt = await this.wallet.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (!receipt.contractAddress) throw new Error(`deployment ${hash} created no contract`);
    return getAddress(receipt.contractAddress);
  }

  /** Sends `wei` to `to`; resolves with the transaction hash (mined when automine is on). */
  async payNative(to: string, wei: bigint): Promise<string> {
    return this.wallet.sendTransaction({ to: to as Hex, value: wei, chain: null });
  }

  /** Calls `transfer(to, amount)` on an ERC-20; resolves with the transaction hash. */
  async payToken(token: string, abi: Abi, to: string, amount: bigint): Promise<string> {
    return this.wallet.writeContract({ address: token as Hex, abi, functionName: 'transfer', args: [to, amount], chain: null });
  }

  async waitMined(hash: string): Promise<{ blockNumber: number; status: string }> {
    const r = await this.wallet.waitForTransactionReceipt({ hash: hash as Hex, pollingInterval: 50 });
    return { blockNumber: Number(r.blockNumber), status: r.status };
  }

  async tokenBalance(token: string, abi: Abi, of: string): Promise<bigint> {
    return await this.wallet.readContract({ address: token as Hex, abi, functionName: 'balanceOf', args: [of] }) as bigint;
  }

  async balance(of: string): Promise<bigint> {
    return this.wallet.getBalance({ address: of as Hex });
  }

  async head(): Promise<number> {
    return Number(await this.wallet.getBlockNumber({ cacheTime: 0 }));
  }

  async blockHash(number: number): Promise<string> {
    return (await this.wallet.getBlock({ blockNumber: BigInt(number) })).hash!;
  }

  async mine(blocks = 1): Promise<void> {
    await this.testClient.mine({ blocks });
  }

  /** Off: transactions wait in the mempool until mine(); several then land in one block. */
  async setAutomine(on: boolean): Promise<void> {
    await this.testClient.setAutomine(on);
  }

  /** A block every `ms` besides automine (0: none), so confirmations accrue on their own. */
  async setIntervalMining(ms: number): Promise<void> {
    // viem takes seconds here (and multiplies by 1000 for Hardhat, which takes ms).
    await this.testClient.setIntervalMining({ interval: ms / 1000 });
  }

  async snapshot(): Promise<string> {
    return this.testClient.snapshot();
  }

  /** Drops every block after the snapshot (and its transactions). */
  async revert(id: string): Promise<void> {
    await this.testClient.revert({ id: id as Hex });
  }
}

/**
 * The extended public key of a development deposit wallet: derived here from
 * a fixed seed, whose private side only this development helper ever sees
 * (workers get the xpub alone, as in production).
 */
export function devDepositXpub(): string {
  const seed = createHash('sha256').update('switchyard development deposit wallet').digest();
  return HDKey.fromMasterSeed(seed).derive("m/44'/60'/0'").publicExtendedKey;
}
