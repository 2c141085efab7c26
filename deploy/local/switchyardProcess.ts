/**
 * Runs a switchyard process (gateway or worker) as a child: waits for its
 * "ready" log line, exposes its port and output, stops it with a signal.
 * Used by `npm start`, the cluster script and the tests.
 * Runs the TypeScript entry through tsx, or its bundled copy with plain
 * node when `SY_COMPILED_DIR` is set (deploy/local/compiledSources.ts).
 *
 * Coverage of a bundled process: when `SY_COMPILED_COVERAGE_DIR` is set too
 * (test/run.ts sets it to tap's coverage directory), the process records
 * its coverage with node's own NODE_V8_COVERAGE into that directory instead
 * of through tap's per-process loader (@tapjs/processinfo, which tap puts
 * in NODE_OPTIONS of every process a test starts). That loader runs a module-hook thread and converts each
 * loaded file's bytes to text on the main thread: ~2 CPU-seconds per start
 * for a 10 MB bundle. Both write the same V8 coverage format, with the
 * source map, which tap's report (c8) reads from that directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRY = { gateway: 'gateway/main.ts', worker: 'actors/main.ts' } as const;
export type ProcessKind = keyof typeof ENTRY;

/** NODE_OPTIONS without tap's processinfo loader (the `--import` of @tapjs/processinfo). */
function withoutTapLoader(nodeOptions: string): string {
  return nodeOptions.split(/\s+/).filter((option) => option !== '' && !option.includes('@tapjs/processinfo')).join(' ');
}

/**
 * The command that runs `args` with node writing V8 coverage into `dir`:
 * only where tap would have recorded it (its loader is in NODE_OPTIONS and
 * coverage is on for this test file); undefined otherwise. tap's loader
 * re-adds itself to NODE_OPTIONS on every spawn from a test process, so the
 * process is started through `env`, which sets NODE_OPTIONS without it.
 */
function withV8Coverage(dir: string | undefined, args: string[]): { command: string; args: string[]; env: Record<string, string> } | undefined {
  const nodeOptions = process.env.NODE_OPTIONS ?? '';
  if (!dir || !nodeOptions.includes('@tapjs/processinfo') || process.env._TAPJS_PROCESSINFO_COVERAGE_ === '0') return undefined;
  return { command: '/usr/bin/env', args: [`NODE_OPTIONS=${withoutTapLoader(nodeOptions)}`, process.execPath, ...args], env: { NODE_V8_COVERAGE: dir } };
}

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
    const compiled = process.env.SY_COMPILED_DIR;
    const args = compiled ? [join(compiled, ENTRY[this.kind].replace(/\.ts$/, '.js'))] : ['--import', 'tsx', join(root, ENTRY[this.kind])];
    const covered = compiled ? withV8Coverage(process.env.SY_COMPILED_COVERAGE_DIR, args) : undefined;
    const child = spawn(covered?.command ?? process.execPath, covered?.args ?? args, {
      cwd: root,
      env: { ...process.env, ...covered?.env, ...this.env },
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
