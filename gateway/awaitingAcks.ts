/**
 * Keeps "accepted, then result" on one connection. A command's result can
 * reach the gateway before the JetStream ack of its publish does (a worker
 * faster than the ack's way back). The result proves the command durable —
 * the worker read it from the stream — so the connection answers `accepted`
 * at that moment, right before the result, and the ack arriving later
 * answers nothing. Every `cmd` frame still gets exactly one answer.
 */
export class AwaitingAcks {
  /** Per command id: frames published and not yet settled, and how many of them were answered early. */
  private readonly waits = new Map<string, { frames: number; answered: number }>();

  /** A `cmd` frame with this id is being published. */
  sent(id: string): void {
    const wait = this.waits.get(id);
    if (wait) wait.frames++;
    else this.waits.set(id, { frames: 1, answered: 0 });
  }

  /** The publish of one frame settled; true when that frame still needs its answer (`accepted` or `rejected`). */
  settled(id: string): boolean {
    const wait = this.waits.get(id);
    if (!wait) return true;
    wait.frames--;
    const unanswered = wait.answered === 0;
    if (!unanswered) wait.answered--;
    if (wait.frames === 0) this.waits.delete(id);
    return unanswered;
  }

  /** A push of this command is about to be sent: how many `accepted` must go first (they count as answered from now). */
  overtaken(id: string): number {
    const wait = this.waits.get(id);
    if (!wait) return 0;
    const owed = wait.frames - wait.answered;
    wait.answered = wait.frames;
    return owed;
  }
}
