/**
 * messaging: history pages — pure cursor arithmetic. A page only ever shows
 * committed messages (seq <= the room's lastSeq), so a message stored ahead
 * of a commit that then failed is never seen (README.md).
 *
 * Cursors are room sequence numbers, which never change and never repeat,
 * so paging while new messages arrive returns every message exactly once:
 * page backwards with `before` = the smallest seq seen, forwards with
 * `after` = the largest.
 */
import { MESSAGING_LIMITS, type HistoryPage, type Message } from '../../protocol/index.js';

export interface HistoryQuery {
  before?: number;
  after?: number;
  limit?: number;
}

/** Which messages to read: above < seq < below, from the `newestFirst` end, at most `limit` (+1 to learn hasMore). */
export interface HistoryRange {
  above: number;
  below: number;
  newestFirst: boolean;
  limit: number;
}

/** With `after`: the first messages above it (up to `before`, if given). Otherwise the latest below `before` (or all). */
export function historyRange(lastSeq: number, query: HistoryQuery): HistoryRange {
  return {
    above: query.after ?? 0,
    below: Math.min(query.before ?? Number.POSITIVE_INFINITY, lastSeq + 1),
    newestFirst: query.after === undefined,
    limit: query.limit ?? MESSAGING_LIMITS.historyDefaultLimit,
  };
}

/** True when the range cannot hold any message (no read needed). */
export function isEmptyRange(range: HistoryRange): boolean {
  return range.below - range.above <= 1;
}

/**
 * The page from what was read for `range` (up to limit + 1 messages, in
 * the range's order): at most `limit` messages and at most
 * MESSAGING_LIMITS.historyPageChars of JSON (but at least one message),
 * returned oldest first.
 */
export function historyPage(range: HistoryRange, read: Message[], lastSeq: number): HistoryPage {
  const taken: Message[] = [];
  let chars = 0;
  for (const message of read) {
    if (taken.length === range.limit) break;
    chars += JSON.stringify(message).length;
    if (taken.length > 0 && chars > MESSAGING_LIMITS.historyPageChars) break;
    taken.push(message);
  }
  if (range.newestFirst) taken.reverse();
  return { messages: taken, lastSeq, hasMore: read.length > taken.length };
}
