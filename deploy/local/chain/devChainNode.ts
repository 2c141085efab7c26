/**
 * The local Ethereum node for development and tests: Hardhat Network
 * (`hardhat node`, from npm) on a free loopback port, chain id 31337, its
 * state in memory (nothing on disk to clean), blocks mined per transaction
 * and on demand (evm_mine), reorgs by evm_snapshot/evm_revert. Then the
 * test token (TestToken.sol, compiled into TestToken.json) is deployed from
 * the funded dev account. ARCHITECTURE.md decision 13 says why Hardhat.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DevChain, devDepositXpub, type ContractArtifact } from '../../../integrations/index.js';
import { ServerProcess, freePort } from '../servers.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

export const DEV_CHAIN_ID = 31337;
/** Whole-token supply minted to the dev account: 1,000,000 TUSD (6 decimals). */
const TOKEN_SUPPLY = 1_000_000n * 10n ** 6n;

export const TEST_TOKEN: ContractArtifact & { symbol: string; decimals: number } = {
  ...(JSON.parse(readFileSync(join(here, 'TestToken.json'), 'utf8')) as ContractArtifact),
  symbol: 'TUSD',
  decimals: 6,
};

export interface DevChainNode {
  node: ServerProcess;
  rpcUrl: string;
  /** The deployed test token. */
  token: string;
  /** Controls and the funded dev account (account 0). */
  chain: DevChain;
  /** SY_CRYPTO_* for workers using this chain. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface DevChainNodeOptions {
  /** Mine a block this often besides one per transaction (0: only per transaction and evm_mine), ms. @default 0 */
  blockIntervalMs?: number;
}

export async function startDevChainNode(options: DevChainNodeOptions = {}): Promise<DevChainNode> {
  const dir = await mkdtemp(join(tmpdir(), 'sy-chain-'));
  let node: ServerProcess | undefined;
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const candidate = new ServerProcess('hardhat-node', process.execPath,
      [join(root, 'node_modules', 'hardhat', 'internal', 'cli', 'bootstrap.js'), '--config', join(here, 'hardhat.config.cjs'), 'node', '--hostname', '127.0.0.1', '--port', String(port)],
      port, dir, async (s) => s.output().includes('Started HTTP and WebSocket JSON-RPC server'));
    try {
      await candidate.start(60_000);
      node = candidate;
      break;
    } catch (err) {
      if (attempt >= 2 || !/EADDRINUSE/.test(String(err))) throw err;
    }
  }
  const rpcUrl = `http://127.0.0.1:${node.port}`;
  const chain = new DevChain(rpcUrl);
  const token = await chain.deploy(TEST_TOKEN, [TOKEN_SUPPLY]);
  if (options.blockIntervalMs) await chain.setIntervalMining(options.blockIntervalMs);
  return {
    node, rpcUrl, token, chain,
    env: {
      SY_CRYPTO_RPC_URL: rpcUrl,
      SY_CRYPTO_XPUB: devDepositXpub(),
      SY_CRYPTO_TOKEN_ADDRESS: token,
      SY_CRYPTO_TOKEN_SYMBOL: TEST_TOKEN.symbol,
      SY_CRYPTO_TOKEN_DECIMALS: String(TEST_TOKEN.decimals),
    },
    stop: () => node.stop(),
  };
}
