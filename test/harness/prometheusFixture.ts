/**
 * A real Prometheus (Debian's package, installed by deploy/local/install-tools.sh)
 * for one test file, run with deploy/prometheus/prometheus.local.yml and
 * its rule files as shipped — only the intervals shortened to 1 s and the
 * file_sd target lists pointing at the test's stack.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServerProcess, freePort } from '../../deploy/local/servers.js';

export const PROMETHEUS_DIR = 'deploy/prometheus';

/** Why Prometheus/promtool cannot run here, or undefined when they can. */
export function prometheusMissing(): string | undefined {
  for (const tool of ['prometheus', 'promtool']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed: deploy/local/install-tools.sh installs Debian's "prometheus" package when run as root with apt-get (npm run tools)`;
    }
  }
  return undefined;
}

export interface PrometheusUnderTest {
  url: string;
  dir: string;
  /** Instant query → result vector. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Waits until every rule group has been evaluated after `since`. */
  rulesEvaluatedAfter(since: Date, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ScrapeTargets {
  gateways: string[];
  workers: string[];
}

export async function startPrometheus(targets: ScrapeTargets): Promise<PrometheusUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-prometheus-'));
  cpSync(join(PROMETHEUS_DIR, 'rules'), join(dir, 'rules'), { recursive: true });
  const config = readFileSync(join(PROMETHEUS_DIR, 'prometheus.local.yml'), 'utf8')
    .replace(/scrape_interval: \S+/, 'scrape_interval: 1s')
    .replace(/evaluation_interval: \S+/, 'evaluation_interval: 1s');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  cpSync(join(PROMETHEUS_DIR, 'targets'), join(dir, 'targets'), { recursive: true });
  writeFileSync(join(dir, 'targets', 'gateway.json'), JSON.stringify([{ targets: targets.gateways, labels: { component: 'gateway' } }]));
  writeFileSync(join(dir, 'targets', 'worker.json'), JSON.stringify([{ targets: targets.workers, labels: { component: 'worker' } }]));
  // No NATS exporter in the test stack (see the observability test's EXTERNAL list).
  writeFileSync(join(dir, 'targets', 'nats-exporter.json'), '[]');

  let server: ServerProcess | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < 5 && !server; attempt++) {
    const port = await freePort();
    const candidate = new ServerProcess('prometheus', 'prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ], port, dir, async (s) => (await fetch(`http://127.0.0.1:${s.port}/-/ready`)).ok);
    try {
      await candidate.start(60_000);
      server = candidate;
    } catch (err) {
      lastError = err;
      await candidate.stop(0);
      if (!/address already in use|bind/i.test(String(err))) break;
    }
  }
  if (!server) throw lastError;
  const url = `http://127.0.0.1:${server.port}`;
  const running = server;
  return {
    url,
    dir,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
      const answer = await res.json() as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      if (answer.status !== 'success') throw new Error(`query ${expr}: ${answer.error}`);
      return answer.data.result;
    },
    async rulesEvaluatedAfter(since, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const answer = await (await fetch(`${url}/api/v1/rules`)).json() as { data: { groups: Array<{ name: string; lastEvaluation: string }> } };
        const late = answer.data.groups.filter((g) => new Date(g.lastEvaluation) <= since);
        if (answer.data.groups.length > 0 && late.length === 0) return;
        if (Date.now() > deadline) throw new Error(`rule groups not evaluated since ${since.toISOString()}: ${late.map((g) => g.name).join(', ')}`);
        await sleep(200);
      }
    },
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
