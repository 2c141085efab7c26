/**
 * A room's messages in the page: one `<li data-seq>` per message, in `seq`
 * order, each shown once however often it arrives (the post's result, the
 * `message.created` event, a history page, a replay after a resume). A later
 * copy of a message (edited, deleted) replaces the earlier one.
 */
import type { Message } from '../../protocol/messaging/views.js';

/** Most messages kept in the page. */
const MAX_SHOWN = 300;

export class MessageList {
  private readonly items = new Map<number, HTMLLIElement>();

  constructor(private readonly list: HTMLOListElement, private readonly me: string) {}

  /** The highest seq shown (0: none): where a catch-up `history {after}` starts. */
  get lastSeq(): number {
    let max = 0;
    for (const seq of this.items.keys()) max = Math.max(max, seq);
    return max;
  }

  clear(): void {
    this.items.clear();
    this.list.replaceChildren();
  }

  show(message: Pick<Message, 'room' | 'seq' | 'author' | 'text' | 'createdAt'> & { deletedAt?: number }): void {
    const li = document.createElement('li');
    li.dataset.seq = String(message.seq);
    li.dataset.id = `${message.room}:${message.seq}`;
    if (message.author === this.me) li.className = 'mine';
    const who = Object.assign(document.createElement('span'), { className: 'who', textContent: message.author });
    const text = Object.assign(document.createElement('span'), { className: 'text', textContent: message.deletedAt ? '(deleted)' : message.text });
    const at = Object.assign(document.createElement('time'), { textContent: new Date(message.createdAt).toLocaleTimeString() });
    li.append(who, text, at);
    const existing = this.items.get(message.seq);
    if (existing) {
      existing.replaceWith(li);
    } else {
      const after = [...this.items.entries()].filter(([seq]) => seq > message.seq).sort(([a], [b]) => a - b)[0]?.[1];
      this.list.insertBefore(li, after ?? null);
    }
    this.items.set(message.seq, li);
    while (this.items.size > MAX_SHOWN) {
      const oldest = Math.min(...this.items.keys());
      this.items.get(oldest)!.remove();
      this.items.delete(oldest);
    }
    this.list.scrollTop = this.list.scrollHeight;
  }
}
