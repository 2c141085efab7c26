/**
 * HAProxy's runtime API (the admin socket): one command per connection, the
 * answer is everything HAProxy writes before closing. Used to add, drain,
 * disable and delete servers of a running load balancer (HAProxy ≥ 2.6:
 * `add server` / `del server` need a backend with a dynamic algorithm, which
 * `balance leastconn` is).
 */
import { connect } from 'node:net';

export class HaproxyCommandError extends Error {
  override readonly name = 'HaproxyCommandError';
  readonly code = 'HAPROXY_COMMAND_FAILED';
  constructor(readonly command: string, readonly answer: string) {
    super(`haproxy refused "${command}": ${answer.trim() || '(no answer)'}`);
  }
}

/** `srv_op_state` of a server that is up (show servers state). */
const SERVER_RUNNING = 2;

/** Answers that mean the command failed (HAProxy replies in text, exit status is not a thing here). */
const FAILURE = /^(Unknown command|No such|Require|Cannot|Can't|Error|Invalid|Server still has)|: (not found|unknown|failed)/im;

export class HaproxyRuntimeApi {
  constructor(readonly socketPath: string) {}

  /** Sends one command and returns the answer text; rejects when HAProxy says it failed. */
  async command(command: string, timeoutMs = 5000): Promise<string> {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(this.socketPath);
      let text = '';
      const timer = setTimeout(() => { socket.destroy(); reject(new Error(`haproxy did not answer "${command}" within ${timeoutMs} ms`)); }, timeoutMs);
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.write(`${command}\n`));
      socket.on('data', (chunk: string) => { text += chunk; });
      socket.on('error', (err) => { clearTimeout(timer); reject(err); });
      socket.on('close', () => { clearTimeout(timer); resolve(text); });
    });
    if (FAILURE.test(answer)) throw new HaproxyCommandError(command, answer);
    return answer;
  }

  /**
   * Adds a server with health checks on, lets it take traffic, and resolves
   * once its first health check passed (a new dynamic server starts DOWN).
   */
  async addServer(backend: string, server: string, address: string, deadlineMs = 10_000): Promise<void> {
    await this.command(`add server ${backend}/${server} ${address} check inter 500 fastinter 100 fall 2 rise 1`);
    await this.command(`enable health ${backend}/${server}`);
    await this.command(`set server ${backend}/${server} state ready`);
    const deadline = Date.now() + deadlineMs;
    while ((await this.servers(backend)).find((s) => s.name === server)?.operational !== SERVER_RUNNING) {
      if (Date.now() > deadline) throw new Error(`haproxy: ${backend}/${server} at ${address} did not pass a health check within ${deadlineMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** No new clients for the server; established tunnels stay. */
  setState(backend: string, server: string, state: 'ready' | 'drain' | 'maint'): Promise<string> {
    return this.command(`set server ${backend}/${server} state ${state}`);
  }

  /**
   * Takes a server out for good: maintenance (no traffic, no checks). It is
   * deliberately not deleted: HAProxy 2.6.12 (Debian 12) aborted (SIGABRT)
   * under the bench's churn after `shutdown sessions` / `del server` on a
   * server whose WebSocket tunnels were closing; a server left in
   * maintenance costs a few hundred bytes. Names are never reused.
   */
  async removeServer(backend: string, server: string): Promise<void> {
    await this.setState(backend, server, 'maint');
  }

  /** Deletes a server in maintenance that has no connections left (not used by the cluster; see removeServer). */
  async deleteServer(backend: string, server: string): Promise<void> {
    await this.command(`del server ${backend}/${server}`);
  }

  /** Per-server operational and administrative state of a backend. */
  async servers(backend: string): Promise<Array<{ name: string; address: string; port: number; operational: number; admin: number }>> {
    const text = await this.command(`show servers state ${backend}`);
    return text.split('\n').filter((l) => l && !l.startsWith('#') && !/^\d+$/.test(l.trim())).map((line) => {
      const f = line.split(' ');
      // Columns (format 1): be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state … srv_port is column 18.
      return { name: f[3]!, address: f[4]!, operational: Number(f[5]), admin: Number(f[6]), port: Number(f[18]) };
    });
  }
}
