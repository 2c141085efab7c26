/**
 * Runs a switchyard process (gateway or worker) as a child: waits for its
 * "ready" log line, exposes its port and output, stops it with a signal.
 * Used by `npm start`, the cluster script and the tests. How it is started
 * (tsx, or its bundle with coverage) is entryCommand's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT, entryCommand } from './entryCommand.js';

const ENTRY = { gateway: 'gateway/main.ts', worker: 'actors/main.ts' } as const;
export type ProcessKind = keyof typeof ENTRY;

const live = new Set<ChildProcess>();
process.once('exit', () => { for (const c of live) c.kill('SIGKILL'); });

export class SwitchyardProcess {
  private child: ChildProcess | undefined;
  private out = '';
  private exited: Promise<number | null> | undefined;
  /** The gateway's WebSocket/HTTP port or the worker's metrics port, from its ready line. */
  port = 0;

  constructor(readonly kind: ProcessKind, private readonly env: Record<string, string>, private readonly echo = false) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Everything the process printed (stdout and stderr), most recent 256 KiB. */
  output(): string {
    return this.out;
  }

  /** Log lines parsed as JSON (non-JSON lines are skipped). */
  logLines(): Array<Record<string, unknown>> {
    return this.out.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try { return [JSON.parse(line) as Record<string, unknown>]; } catch { return []; }
    });
  }

  async start(timeoutMs = 90_000): Promise<this> {
    const run = entryCommand(ENTRY[this.kind]);
    const child = spawn(run.command, run.args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...run.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    live.add(child);
    this.exited = new Promise((resolve) => child.once('exit', (code) => { live.delete(child); resolve(code); }));
    const onData = (b: Buffer) => {
      this.out = (this.out + b.toString()).slice(-262_144);
      if (this.echo) process.stdout.write(b);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const readyMsg = `${this.kind} ready`;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ready = this.logLines().find((l) => l.msg === readyMsg);
      if (ready) {
        this.port = Number(ready.port ?? ready.metricsPort ?? 0);
        return this;
      }
      if (child.exitCode !== null) throw new Error(`${this.kind} exited with code ${child.exitCode} during start:\n${this.out.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    throw new Error(`${this.kind} was not ready within ${timeoutMs} ms:\n${this.out.slice(-4000)}`);
  }

  /** Sends `signal` and waits for the exit code (SIGKILL after `killAfterMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 20_000): Promise<number | null> {
    if (!this.child || !this.exited) return null;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), killAfterMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** SIGKILL, no drain: a crash. */
  kill(): Promise<number | null> {
    return this.stop('SIGKILL');
  }

  /** Resolves with the exit code when the process ends on its own. */
  waitForExit(): Promise<number | null> {
    return this.exited ?? Promise.resolve(null);
  }
}
