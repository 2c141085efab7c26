/**
 * Keeps "accepted, then result" on one connection, whatever its transport.
 * A command's result can reach the gateway before the JetStream ack of its
 * publish does (a worker faster than the ack's way back). The result proves
 * the command durable — the worker read it from the stream — so the
 * connection answers `accepted` at that moment, right before the result,
 * and the ack arriving later answers nothing. Every `cmd` frame still gets
 * exactly one answer.
 */
export interface AckWait {
  readonly id: string;
  /** Answered `accepted` early, before its publish settled. */
  answered: boolean;
  /** Sends this frame's `accepted`. */
  readonly accept: () => void;
}

export class AwaitingAcks {
  private readonly waits = new Map<string, AckWait[]>();

  /** A `cmd` frame with this id is being published; `accept` answers it. */
  sent(id: string, accept: () => void): AckWait {
    const wait: AckWait = { id, answered: false, accept };
    const list = this.waits.get(id);
    if (list) list.push(wait);
    else this.waits.set(id, [wait]);
    return wait;
  }

  /** Its publish settled; true when the frame still needs its answer (`accepted` or `rejected`). */
  settled(wait: AckWait): boolean {
    const list = this.waits.get(wait.id);
    const at = list?.indexOf(wait) ?? -1;
    if (at >= 0) list!.splice(at, 1);
    if (list?.length === 0) this.waits.delete(wait.id);
    return !wait.answered;
  }

  /** A push of command `id` is about to be sent: each of its frames still waiting is answered `accepted` first. */
  overtaken(id: string): void {
    for (const wait of this.waits.get(id) ?? []) {
      if (wait.answered) continue;
      wait.answered = true;
      wait.accept();
    }
  }
}
