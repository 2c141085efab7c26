/**
 * A local HAProxy (the Debian package, installed by install-tools.sh) as a
 * child process: writes the configuration of haproxyConfig.ts into a
 * temporary directory, starts `haproxy -db` (foreground), waits until every
 * frontend accepts connections, and stops it. Servers come and go through
 * `api` (the runtime API on the admin socket).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { canConnect, freePort } from '../servers.js';
import { haproxyConfig } from './haproxyConfig.js';
import { HaproxyRuntimeApi } from './runtimeApi.js';

/** Where Debian puts the binary; `HAPROXY_BIN` overrides. */
export function haproxyBinary(): string {
  const candidates = [process.env.HAPROXY_BIN, '/usr/sbin/haproxy', '/usr/local/sbin/haproxy'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('haproxy is not installed: run `npm run tools` (installs the Debian package haproxy)');
  return found;
}

const running = new Set<ChildProcess>();
process.once('exit', () => { for (const c of running) c.kill('SIGKILL'); });

export class LoadBalancer {
  private output = '';
  private stopping = false;
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    /** Pool name → frontend port. */
    readonly ports: Record<string, number>,
    readonly api: HaproxyRuntimeApi,
  ) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** `ws://127.0.0.1:<frontend port>/ws` of a pool. */
  wsUrl(pool: string, path = '/ws'): string {
    const port = this.ports[pool];
    if (port === undefined) throw new Error(`no pool ${pool}`);
    return `ws://127.0.0.1:${port}${path}`;
  }

  /** Starts HAProxy with one frontend + backend per pool name, on free loopback ports. */
  static async start(pools: string[], options: { maxConnections?: number } = {}): Promise<LoadBalancer> {
    const dir = await mkdtemp(join(tmpdir(), 'sy-haproxy-'));
    const adminSocket = join(dir, 'admin.sock');
    const ports: Record<string, number> = {};
    for (const pool of pools) ports[pool] = await freePort();
    const cfg = join(dir, 'haproxy.cfg');
    await writeFile(cfg, haproxyConfig({
      adminSocket,
      pools: pools.map((name) => ({ name, port: ports[name]! })),
      ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
    }));
    const child = spawn(haproxyBinary(), ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    const lb = new LoadBalancer(child, dir, ports, new HaproxyRuntimeApi(adminSocket));
    const append = (b: Buffer) => { lb.output = (lb.output + b.toString()).slice(-8000); };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    // An HAProxy that dies under a running cluster takes every client with it: say so loudly, with its last words.
    child.once('exit', (code, signal) => {
      if (!lb.stopping) process.stderr.write(`haproxy exited unexpectedly (code ${code}, signal ${signal}):\n${lb.output.slice(-2000)}\n`);
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`haproxy exited during start (code ${child.exitCode}):\n${lb.output}`);
      const up = existsSync(adminSocket) && (await Promise.all(Object.values(ports).map(canConnect))).every(Boolean);
      if (up) return lb;
      if (Date.now() > deadline) {
        await lb.stop();
        throw new Error(`haproxy did not start within 15 s:\n${lb.output}`);
      }
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
