/**
 * Runs one of the bench's own server programs (baselines, the bench-side
 * actors) as a child process and waits for its ready line: a JSON line
 * `{"ready":"<what>","port":<n>}` on stdout. Implements the cluster's
 * ClusterMember, so LocalCluster can scale the synchronous design the same
 * way it scales switchyard.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TemplatedApp, us_listen_socket } from '@trufflesuite/uws-js-unofficial';
import { listenExclusive } from '../../gateway/exclusiveListen.js';
import type { Uws } from '../../gateway/nativeUws.js';
import type { ClusterMember, MemberKind, MemberSpawner } from '../../deploy/local/cluster.js';
import { entryCommand } from '../../deploy/local/entryCommand.js';
const live = new Set<ChildProcess>();
process.once('exit', () => { for (const c of live) c.kill('SIGKILL'); });

/** Programs in bench/baselines/ that can run as a child. */
export type BaselineProgram = 'syncGateway' | 'syncWorker' | 'socketIoServer' | 'uwsEchoServer' | 'uwsIdleServer' | 'barePathServer' | 'benchActors';

export class BaselineProcess implements ClusterMember {
  port = 0;
  private child: ChildProcess | undefined;
  private out = '';
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(readonly program: BaselineProgram, private readonly env: Record<string, string>, readonly kind: MemberKind = 'gateway', readonly name: string = program) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  output(): string {
    return this.out;
  }

  async start(timeoutMs = 90_000): Promise<this> {
    const run = entryCommand(`bench/baselines/${this.program}.ts`);
    const child = spawn(run.command, run.args, {
      env: { ...process.env, ...run.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    live.add(child);
    this.exited = new Promise((resolve) => child.once('exit', (code) => { live.delete(child); resolve(code); }));
    const onData = (b: Buffer) => { this.out = (this.out + b.toString()).slice(-65_536); };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /\{"ready":"[^"]+","port":(\d+)\}/.exec(this.out);
      if (m) { this.port = Number(m[1]); return this; }
      if (child.exitCode !== null) throw new Error(`${this.program} exited with ${child.exitCode} during start:\n${this.out.slice(-3000)}`);
      if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`${this.program} not ready within ${timeoutMs} ms:\n${this.out.slice(-3000)}`); }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 15_000): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** LocalCluster members of the synchronous design: sync gateways and sync workers. */
export const spawnSyncMember: MemberSpawner = async (kind, name, env) =>
  new BaselineProcess(kind === 'gateway' ? 'syncGateway' : 'syncWorker', env, kind, name).start();

/**
 * Listens a uWS baseline on a free loopback port the gateway's way,
 * exclusively (gateway/exclusiveListen.ts), and prints its ready line. With
 * uWS's default listen (SO_REUSEPORT), a port-0 bind can be given a port
 * another SO_REUSEPORT listener holds — HAProxy's frontends had it too — and
 * the kernel then splits that port's connections between the two: seen in a
 * probe run, where half of switchyard's load connections were answered by the
 * synchronous design.
 */
export async function listenBaseline(uws: Uws, app: TemplatedApp, what: BaselineProgram): Promise<us_listen_socket> {
  const { token, port } = await listenExclusive(uws, app, '127.0.0.1', 0);
  announceBaselineReady(what, port);
  return token;
}

/** Prints the ready line a BaselineProcess waits for. */
export function announceBaselineReady(what: string, port: number): void {
  process.stdout.write(`${JSON.stringify({ ready: what, port })}\n`);
}
