/**
 * `npm test`'s test step: every *.test.ts file under test/ (or the files
 * named on the command line) through tap, files in parallel (the pure
 * `*.unit.ts` files run together in one of them, test/unitTests.test.ts), then tap's
 * coverage summary and the coverage floor. A full run also typechecks
 * (`npm run typecheck`) alongside the tests, at low CPU priority, so the
 * ~30 CPU-seconds of tsc fill the moments the test files leave a core idle
 * instead of running before them; a type error fails the run.
 * Each file starts its own servers on free ports, so files never collide.
 * SY_TEST_CONCURRENCY sets how many files run at once (default 4 on this
 * 2-core machine: most of a test's time is spent waiting on servers, and
 * with 3 the run left a fifth of the CPU idle).
 * Settings shared with a bare `npx tap` (tsx as the loader, the per-file
 * timeout) are in .taprc.
 *
 * Gateways and workers started by the tests run their entry points bundled
 * once into .tmp/compiled (deploy/local/compiledSources.ts): about a third
 * of the CPU of a start under tsx, and the suite starts over a hundred of
 * them. They record coverage with NODE_V8_COVERAGE straight into tap's
 * coverage directory rather than through tap's loader, which costs a
 * bundle ~2 CPU-seconds a start (deploy/local/switchyardProcess.ts). A
 * bare `npx tap` of one file runs them through tsx instead. The test
 * processes themselves import typebox, viem, stripe and jose from bundles
 * made here too (test/harness/prebundledPackages.ts): ~1.2 CPU-seconds less
 * per test file.
 *
 * Coverage: tsx's source maps carry `sourcesContent: [null]`, which makes
 * c8 (tap's coverage reporter) map every file to one empty line. The
 * recorded maps are repaired (the null contents dropped, so the original
 * .ts file is read from disk) before `tap report` prints the summary.
 * The floor (test/coverage-floor.json) is what the whole suite reached when
 * it was set: a full run below it fails, so coverage can only rise. A run
 * of named files prints the summary but is not held to the floor.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compileSources } from '../deploy/local/compiledSources.js';
import { prebundlePackages } from './harness/prebundledPackages.js';

const TAP = join('node_modules', '.bin', 'tap');
const COVERAGE_DIR = join('.tap', 'coverage');
const SUMMARY = join('.tap', 'report', 'coverage-summary.json');
const FLOOR = join('test', 'coverage-floor.json');
/** The plugin list tap's last build compiled in (tap regenerates this file on `tap build`). */
const BUILT_PLUGINS = join('node_modules', '@tapjs', 'test', 'test-built', 'src', 'index.ts');
const METRICS = ['lines', 'statements', 'functions', 'branches'] as const;

function findTests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Runs a command with inherited stderr; stdout is returned, and echoed unless `quiet`. */
function run(command: string, args: string[], quiet = false): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => { if (!quiet) process.stdout.write(chunk); stdout += chunk.toString(); });
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stdout }));
  });
}

function repairSourceMaps(): void {
  for (const name of readdirSync(COVERAGE_DIR)) {
    const path = join(COVERAGE_DIR, name);
    const recorded = JSON.parse(readFileSync(path, 'utf8')) as { 'source-map-cache'?: Record<string, { data?: { sourcesContent?: (string | null)[] } }> };
    let repaired = false;
    for (const entry of Object.values(recorded['source-map-cache'] ?? {})) {
      const contents = entry.data?.sourcesContent;
      if (contents && contents.every((c) => c === null)) { delete entry.data!.sourcesContent; repaired = true; }
    }
    if (repaired) writeFileSync(path, JSON.stringify(recorded));
  }
}

type CoverageTotals = Record<(typeof METRICS)[number], { pct: number }>;

/** The metrics below the floor, as sentences; none when the floor holds. */
function belowFloor(total: CoverageTotals): string[] {
  const floor = JSON.parse(readFileSync(FLOOR, 'utf8')) as Record<string, number>;
  return METRICS.filter((m) => total[m].pct < (floor[m] ?? 0)).map((m) => `${m} coverage ${total[m].pct}% is below the floor of ${floor[m]}% (${FLOOR})`);
}

const named = process.argv.slice(2);
const files = (named.length > 0 ? named : findTests('test')).map((f) => relative(process.cwd(), f)).sort();
const concurrency = process.env.SY_TEST_CONCURRENCY ?? '4';
process.stdout.write(`running ${files.length} test files through tap, ${concurrency} at a time\n`);

// tap builds its plugin set from .taprc (which turns its ts-node plugin off) on its first run after
// `npm ci`, but that run still spawns the test files with the default set: ts-node's loader then
// runs beside tsx and breaks the prebundled packages' imports (every file failed on a fresh clone).
// Build the set first when it still holds the default.
if (readFileSync(BUILT_PLUGINS, 'utf8').includes('"@tapjs/typescript"')) {
  process.stdout.write('building tap\'s plugin set from .taprc (first run after npm ci)\n');
  if ((await run(TAP, ['build'], true)).code !== 0) throw new Error('`tap build` failed');
}

const compiledDir = resolve('.tmp', 'compiled');
const compiledFiles = await compileSources(process.cwd(), compiledDir);
process.env.SY_COMPILED_DIR = compiledDir;
process.env.SY_COMPILED_COVERAGE_DIR = resolve(COVERAGE_DIR);
process.stdout.write(`gateways and workers run from ${relative(process.cwd(), compiledDir)} (${compiledFiles} entry points bundled)\n`);
process.env.SY_TEST_PREBUNDLED_DIR = await prebundlePackages(process.cwd());

const typecheck = named.length === 0 ? run('nice', ['-n', '10', 'npm', 'run', '--silent', 'typecheck'], true) : undefined;
const tests = await run(TAP, [`--jobs=${concurrency}`, '--reporter=tap', '--coverage-report=none', ...files]);
const counts = /# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?(?:, skip: (\d+))?/.exec(tests.stdout.split('\n').filter((l) => l.startsWith('# { total')).pop() ?? '');

repairSourceMaps();
// Only the summary box: `tap report` also prints an empty TAP run and one
// "incomplete coverage" line per metric, which the floor below replaces.
const report = await run(TAP, ['report', 'text-summary', 'json-summary'], true);
process.stdout.write(`\n${/=+ Coverage summary =+\n[^]*?\n=+\n/.exec(report.stdout)?.[0] ?? report.stdout}`);
const problems: string[] = named.length === 0 ? belowFloor((JSON.parse(readFileSync(SUMMARY, 'utf8')) as { total: CoverageTotals }).total) : [];
for (const problem of problems) process.stdout.write(`coverage: ${problem}\n`);

const typechecked = await typecheck;
if (typechecked) {
  const failedTypecheck = typechecked.code !== 0;
  process.stdout.write(failedTypecheck ? `typecheck (npm run typecheck) failed:\n${typechecked.stdout.trimEnd()}\n` : 'typecheck (npm run typecheck, alongside the tests): no errors\n');
  if (failedTypecheck) problems.push('typecheck');
}

const passed = Number(counts?.[2] ?? 0);
const failed = Number(counts?.[3] ?? 0);
const skipped = Number(counts?.[4] ?? 0);
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(tests.code !== 0 || problems.length > 0 || !counts ? 1 : 0);
