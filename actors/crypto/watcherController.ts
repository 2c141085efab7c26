/**
 * crypto: the chain watcher — the `_watcher` entity on the runtime's cron
 * tick (exactly once per tick across all workers; its state, the
 * checkpoint, is in MongoDB like every entity's). Each tick:
 *
 * 1. checks that the checkpoint block is still on the node's chain; if not
 *    (a reorg), walks the recent blocks back to the newest one still on it
 *    (the common ancestor), tells the orders of pending transfers above it
 *    that those are gone, and commits the rewind;
 * 2. reads up to SY_CRYPTO_BLOCKS_PER_TICK blocks after the checkpoint,
 *    each one's parent hash checked against the block before (a reorg in
 *    the middle of the range stops there: the next tick rewinds);
 * 3. sends every transfer to a deposit address to its order as soon as
 *    its block is read (1 confirmation), and at the end of the range every
 *    pending transfer its new confirmation count (transferCommands.ts);
 * 4. commits the new checkpoint (number + hash) with the recent blocks and
 *    the pending transfers.
 *
 * Everything in 3 is published before 4: a watcher that dies mid-range
 * publishes the same observations again from the same checkpoint on the
 * next owner, and each is applied once (transferCommands.ts).
 */
import type { Controller } from '../runtime/index.js';
import type { CryptoDeps } from './dependencies.js';
import type { BlockRef, CryptoState, WatcherState } from './cryptoState.js';
import type { Observation } from './transferCommands.js';
import { appendRecent, chainTransfer, confirmationReports, rewind } from './watcherService.js';
import { watcherIn } from './validator.js';

/** The watcher's cron period. */
export const WATCH_TICK_MS = 500;

type WatchTick = { job: string; tick: number };

async function commonAncestor(state: WatcherState, deps: CryptoDeps): Promise<BlockRef> {
  for (let i = state.recent.length - 1; i >= 0; i--) {
    const ref = state.recent[i]!;
    const onChain = await deps.chain.header(ref.number);
    if (onChain?.hash === ref.hash) return ref;
  }
  const oldest = state.recent[0] ?? state.checkpoint!;
  throw new Error(`reorg deeper than the ${state.recent.length} blocks the watcher remembers (below block ${oldest.number}); set SY_CRYPTO_START_BLOCK and restart the watcher`);
}

export const watchTickController: Controller<CryptoState, WatchTick, CryptoDeps> = async (state, _data, ctx) => {
  const deps = ctx.deps;
  let watcher = watcherIn(state);
  const chainId = await deps.chain.chainId();
  const head = await deps.chain.head();
  if (watcher.checkpoint === null) {
    const start = deps.startBlock >= 0 ? Math.min(deps.startBlock, head) : head;
    const block = await deps.chain.header(start);
    if (!block) return { result: { started: false } };
    const checkpoint = { number: block.number, hash: block.hash };
    ctx.log.info({ chainId, checkpoint }, 'chain watcher starts');
    return { state: { ...watcher, checkpoint, recent: [checkpoint] }, result: { started: true, checkpoint } };
  }
  const current = await deps.chain.header(watcher.checkpoint!.number);
  if (current?.hash !== watcher.checkpoint.hash) {
    const ancestor = await commonAncestor(watcher, deps);
    const rewound = rewind(watcher, ancestor);
    await deps.transfers.send(rewound.removals);
    ctx.log.warn({ from: watcher.checkpoint, to: ancestor, removed: rewound.removals.length }, 'chain reorg: rewound to the common ancestor');
    return { state: rewound.state, result: { reorg: true, checkpoint: ancestor, removed: rewound.removals.length } };
  }
  let checkpoint = watcher.checkpoint;
  let recent = watcher.recent;
  const pending = [...watcher.pending];
  const last = Math.min(head, checkpoint.number + deps.blocksPerTick);
  for (let n = checkpoint.number + 1; n <= last; n++) {
    const block = await deps.chain.header(n);
    if (!block || block.parentHash !== checkpoint.hash) break; // the chain moved under us: the next tick sees the reorg
    const sightings = await deps.chain.transfersIn(block, deps.tokens);
    const orders = await deps.addresses.ordersOf(sightings.map((s) => s.to));
    const seen: Observation[] = [];
    for (const s of sightings) {
      const order = orders.get(s.to.toLowerCase());
      if (order === undefined) continue;
      const asset = s.token === undefined ? deps.nativeSymbol : deps.tokenSymbols.get(s.token.toLowerCase());
      if (asset === undefined) continue;
      const transfer = chainTransfer(chainId, asset, block, s);
      seen.push({ order, observed: { transfer, confirmations: 1, removed: false } });
      pending.push({ order, transfer, sent: 1 });
    }
    // Sent block by block, so the orders see a transfer while a long range is still being read.
    await deps.transfers.send(seen);
    checkpoint = { number: block.number, hash: block.hash };
    recent = appendRecent(recent, checkpoint);
    ctx.heartbeat();
  }
  const { reports, pending: stillPending } = confirmationReports(pending, checkpoint.number, deps.confirmations);
  await deps.transfers.send(reports);
  const scanned = checkpoint.number - watcher.checkpoint.number;
  watcher = { ...watcher, checkpoint, recent, pending: stillPending, blocksScanned: watcher.blocksScanned + scanned };
  if (scanned === 0 && reports.length === 0) return { result: { scanned: 0 } };
  return { state: watcher, result: { scanned, reports: reports.length, checkpoint } };
};
