/**
 * Turns a model's token-sized text chunks into few `progress` pushes: the
 * first text goes out at once (the user sees the answer start), later text
 * gathers until `intervalMs` have passed since the previous push or
 * `maxChars` have gathered, whichever comes first. Each push says where its
 * text starts in the answer (AiChatProgress), so a client can tell a
 * continuation from a restart.
 */
import type { AiChatProgress } from '../../protocol/index.js';

export interface ProgressCoalescerOptions {
  /** Least time between two pushes, ms (0: push every chunk). */
  intervalMs: number;
  /** Gathered characters that trigger a push before the interval ends. */
  maxChars: number;
  push: (progress: AiChatProgress) => void;
}

export class ProgressCoalescer {
  private pending = '';
  private offset = 0;
  private lastPushAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private pushCount = 0;

  constructor(private readonly options: ProgressCoalescerOptions) {}

  /** Pushes made so far. */
  get pushes(): number {
    return this.pushCount;
  }

  /** Characters handed to `add` so far. */
  get chars(): number {
    return this.offset + this.pending.length;
  }

  add(text: string): void {
    if (text === '') return;
    this.pending += text;
    if (this.pending.length >= this.options.maxChars) {
      this.flush();
      return;
    }
    if (this.timer) return;
    const wait = this.lastPushAt + this.options.intervalMs - Date.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Pushes whatever has gathered (the answer is complete). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === '') return;
    const progress: AiChatProgress = { delta: this.pending, offset: this.offset };
    this.offset += this.pending.length;
    this.pending = '';
    this.lastPushAt = Date.now();
    this.pushCount++;
    this.options.push(progress);
  }

  /** Drops what has gathered without pushing it (the generation was aborted). */
  discard(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.offset += this.pending.length;
    this.pending = '';
  }
}
