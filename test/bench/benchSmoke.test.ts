/**
 * The bench is a program that prints figures; this test checks only that a
 * `--quick` run completes and writes a well-formed report. It asserts no
 * figure: timings belong to the report, not to the test suite. To stay fast
 * it runs the quick run's load scenarios that need no large setup (floors,
 * accept, steady); the others are exercised by `npm run bench -- --quick`.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryCommand } from '../../deploy/local/entryCommand.js';

t.test('bench - a --quick run completes and writes a well-formed JSON + Markdown report', async () => {
  const out = await mkdtemp(join(tmpdir(), 'sy-bench-smoke-'));
  try {
    const bench = entryCommand('bench/main.ts', [
      '--quick', '--scenario', 'floors,accept,steady',
      '--gateways', '1', '--workers', '1', '--threads', '1', '--accept-rates', '200', '--accept-seconds', '1', '--ladder-fractions', '0.5', '--ladder-seconds', '1',
      '--out', out,
    ]);
    const child = spawn(bench.command, bench.args, { env: { ...process.env, ...bench.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (b: Buffer) => { log += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { log += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGINT'), 300_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    assert.equal(code, 0, `bench exited with ${code}:\n${log.slice(-4000)}`);
    assert.match(log, /expected about \d+ min/, 'the expected duration is printed first');
    assert.match(log, /steady switchyard \d+\/s/, 'progress is printed while it runs');

    const files = await readdir(out);
    assert.ok(files.includes('report.json') && files.includes('report.md'), `report files written: ${files.join(', ')}`);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    for (const key of ['startedAt', 'finishedAt', 'command', 'machine', 'settings', 'budget', 'comparisons', 'skipped', 'floors', 'storeFloor', 'accept', 'steady']) {
      assert.ok(key in report, `report.json has ${key}`);
    }
    const run = report.steady.ladder[0].commands;
    for (const key of ['sent', 'accepted', 'answered', 'lost', 'duplicates', 'rejected', 'reconnects']) {
      assert.equal(typeof run[key], 'number', `steady run reports ${key}`);
    }
    assert.ok(run.sent > 0, 'commands were sent');
    for (const q of ['p50', 'p90', 'p99', 'p999', 'max']) assert.ok(q in run.acceptLatency && q in run.resultLatency, `latency ${q} reported`);
    assert.deepEqual(Object.keys(report.steady.comparison).sort(), ['bare', 'socketio', 'switchyard', 'sync'], 'every design and the bare path floor ran on the same load');
    for (const figure of ['min', 'median', 'max', 'values']) assert.ok(figure in report.steady.comparisonFigures.switchyard.resultP50, `repeated figures report ${figure}`);
    assert.ok(report.accept.rates.length > 0 && report.accept.rates[0].bare.length > 0, 'the accept-path floor ran through the generator');
    assert.ok(Array.isArray(report.steady.comparison.switchyard[0].processes) && report.steady.comparison.switchyard[0].processes.length > 0, 'CPU and memory per process');
    assert.ok(report.budget.length >= 11, 'the budget table keeps every row');
    for (const row of report.budget) assert.ok(['met', 'not met', 'not measured', 'floor'].includes(row.verdict), `verdict of ${row.figure}`);
    assert.ok(report.budget.some((row: { figure: string }) => /accept-path floor/.test(row.figure)), 'the accept ratio names its floor');
    assert.ok(report.budget.some((row: { figure: string }) => /store floor/.test(row.figure)), 'the store floor has a row');
    for (const o of [report.steady.saturation[0], report.steady.hotSaturation]) {
      assert.equal(typeof o.store?.commandsPerRoundTrip, 'number', `${o.label} reports the workers' store round trips`);
      assert.ok(o.store.commands > 0 && o.store.roundTrips > 0, `${o.label}: the workers' store counters moved`);
    }
    assert.equal(report.steady.hotEntities, 20, 'the hot-entity saturation run is part of the steady scenario');
    assert.ok(report.budget.some((row: { figure: string }) => /store writes per command/.test(row.figure)), 'writes per command has a row');
    assert.ok(report.budget.some((row: { figure: string }) => /commands per store round trip/.test(row.figure)), 'commands per round trip has a row');
    assert.equal(report.skipped.churn, 'not selected (--scenario)', 'scenarios not run say why');
    const md = await readFile(join(out, 'report.md'), 'utf8');
    assert.match(md, /## Target vs measured/);
    assert.match(md, /\| steady switchyard \d+\/s \|/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
