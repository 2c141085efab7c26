/**
 * Compiles TestToken.sol with solc-js from npm (the version pinned in
 * package.json, optimizer on, 200 runs, EVM paris) into TestToken.json (ABI
 * + creation bytecode). The JSON is committed, so tests and `npm start`
 * never compile: run this only after changing the contract:
 *
 *   npx tsx deploy/local/chain/compileTestToken.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string; version(): string };

const input = {
  language: 'Solidity',
  sources: { 'TestToken.sol': { content: readFileSync(join(here, 'TestToken.sol'), 'utf8') } },
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'paris', outputSelection: { '*': { TestToken: ['abi', 'evm.bytecode.object'] } } },
};
const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
  errors?: Array<{ severity: string; formattedMessage: string }>;
  contracts: Record<string, Record<string, { abi: unknown; evm: { bytecode: { object: string } } }>>;
};
const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
const contract = output.contracts['TestToken.sol']!.TestToken!;
const artifact = {
  contractName: 'TestToken',
  compiler: `solc-js ${solc.version()}, optimizer 200 runs, evmVersion paris`,
  abi: contract.abi,
  bytecode: `0x${contract.evm.bytecode.object}`,
};
writeFileSync(join(here, 'TestToken.json'), `${JSON.stringify(artifact, null, 2)}\n`);
process.stdout.write(`TestToken.json written (${contract.evm.bytecode.object.length / 2} bytes of bytecode, ${artifact.compiler})\n`);
