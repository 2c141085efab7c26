/**
 * `npm run faults [-- --seconds N]`: the long version of the fault suite.
 * Clears the recorded rows, runs the fault files (faults.test.ts,
 * jetStreamLeaderFault.test.ts, rollingRestart.test.ts; one at a time) at
 * half the saturation each measures on its own stack first (faultLoad.ts,
 * SY_FAULT_LOAD=half) with N seconds of load after each injection (default
 * 20), and the security suite, and — when every test passed — writes
 * RELIABILITY.md from the rows measured in this run. Exit code: the test
 * run's.
 *
 * `--report-only` renders RELIABILITY.md from the rows already recorded
 * (e.g. by `npm test`) without running anything.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { clearRows, rowsDir, writeReport } from './reliabilityReport.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seconds = Number(arg('--seconds') ?? process.env.SY_FAULT_SECONDS ?? 20);
if (!(seconds > 0 && seconds <= 3600)) {
  process.stderr.write('--seconds must be a number from 1 to 3600\n');
  process.exit(2);
}
const reportOnly = process.argv.includes('--report-only');
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
const startedAt = new Date();
let status = 0;
if (!reportOnly) {
  clearRows();
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/run.ts', 'test/reliability/jetStreamLeaderFault.test.ts', 'test/reliability/faults.test.ts', 'test/reliability/rollingRestart.test.ts', 'test/reliability/security.test.ts'], {
    stdio: 'inherit',
    env: { ...process.env, SY_FAULT_SECONDS: String(seconds), SY_FAULT_LOAD: 'half', SY_TEST_CONCURRENCY: '1' },
  });
  status = run.status ?? 1;
}
if (status !== 0) {
  process.stderr.write(`the suites failed (exit ${status}); RELIABILITY.md left as it was; rows in ${rowsDir()}\n`);
  process.exit(status);
}
const path = join(process.cwd(), 'RELIABILITY.md');
writeReport(path, {
  command: reportOnly ? 'npm run faults -- --report-only' : `npm run faults -- --seconds ${seconds}`,
  startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
  durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
  machine,
});
process.stdout.write(`wrote ${path} from the rows in ${rowsDir()}\n`);
