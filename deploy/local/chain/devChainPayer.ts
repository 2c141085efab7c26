/**
 * Plays the payer's wallet for the local demo: `POST /pay {uri}` pays an
 * EIP-681 payment URI (as the crypto actor answers it: native
 * `ethereum:<to>@<chainId>?value=<wei>` or ERC-20
 * `ethereum:<token>@<chainId>/transfer?address=<to>&uint256=<amount>`)
 * from the development chain's funded dev account, and answers the
 * transaction hash. Loopback only, CORS open; development chain only.
 */
import { createServer } from 'node:http';
import type { DevChain } from '../../../integrations/index.js';
import { readBody, reply } from '../loopbackHttp.js';
import { TEST_TOKEN } from './devChainNode.js';

export interface DevChainPayer {
  /** `http://127.0.0.1:<port>/pay`, for the demo's config. */
  payUrl: string;
  stop(): Promise<void>;
}

const NATIVE = /^ethereum:(0x[0-9a-fA-F]{40})@(\d+)\?value=(\d+)$/;
const TOKEN = /^ethereum:(0x[0-9a-fA-F]{40})@(\d+)\/transfer\?address=(0x[0-9a-fA-F]{40})&uint256=(\d+)$/;

export async function startDevChainPayer(chain: DevChain, chainId: number): Promise<DevChainPayer> {
  const pay = async (uri: string): Promise<string> => {
    const native = NATIVE.exec(uri);
    if (native && Number(native[2]) === chainId) return chain.payNative(native[1]!, BigInt(native[3]!));
    const token = TOKEN.exec(uri);
    if (token && Number(token[2]) === chainId) return chain.payToken(token[1]!, TEST_TOKEN.abi, token[3]!, BigInt(token[4]!));
    throw new Error(`not an EIP-681 payment URI of chain ${chainId}: ${uri}`);
  };
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') return reply(res, 204, {});
    if (req.method !== 'POST' || req.url !== '/pay') return reply(res, 404, { error: 'POST /pay only' });
    void readBody(req).then(async (body) => {
      let uri: unknown;
      try { uri = (JSON.parse(body) as { uri?: unknown }).uri; } catch { /* answered below */ }
      if (typeof uri !== 'string') return reply(res, 400, { error: 'body must be {"uri": "<EIP-681 payment URI>"}' });
      reply(res, 200, { txHash: await pay(uri) });
    }).catch((err: unknown) => reply(res, 400, { error: String(err instanceof Error ? err.message.split('\n')[0] : err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    payUrl: `http://127.0.0.1:${port}/pay`,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
