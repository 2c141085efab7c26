// Hardhat Network as started by devChainNode.ts: chain id 31337, a block per
// transaction (automine) plus evm_mine on demand, default funded accounts.
module.exports = { networks: { hardhat: { chainId: 31337, mining: { auto: true, interval: 0 } } } };
