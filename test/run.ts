/**
 * `npm test`'s test step: every *.test.ts file under test/ (or the files
 * named on the command line) through Node's test runner, files in parallel.
 * Each file starts its own servers on free ports, so files never collide.
 * SY_TEST_CONCURRENCY sets how many files run at once (default 3 on this
 * 2-core machine: most of a test's time is spent waiting on servers);
 * SY_TEST_TIMEOUT_MS fails a single test that runs longer (default 10 min).
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function findTests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const named = process.argv.slice(2);
const files = (named.length > 0 ? named : findTests('test')).map((f) => relative(process.cwd(), f)).sort();
const concurrency = process.env.SY_TEST_CONCURRENCY ?? '3';
/** A hung test fails after this long instead of holding the run (and CI) forever. */
const perTestTimeoutMs = process.env.SY_TEST_TIMEOUT_MS ?? '600000';
process.stdout.write(`running ${files.length} test files, ${concurrency} at a time\n`);
const child = spawn(process.execPath, [
  '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${perTestTimeoutMs}`, '--test-reporter=spec', ...files,
], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
