/**
 * A real local Ethereum node for a test file (deploy/local/chain): Hardhat
 * Network on a free port with the test token deployed, and the dev account
 * that pays. `env` configures workers for it.
 */
export { startDevChainNode, TEST_TOKEN, DEV_CHAIN_ID } from '../../deploy/local/chain/devChainNode.js';
export type { DevChainNode } from '../../deploy/local/chain/devChainNode.js';
