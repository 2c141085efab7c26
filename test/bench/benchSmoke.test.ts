/**
 * The bench is a program that prints figures; this test checks only that a
 * tiny run completes and writes a well-formed report. It asserts no figure:
 * timings belong to the report, not to the test suite.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

t.test('bench - a tiny run completes and writes a well-formed JSON + Markdown report', async () => {
  const out = await mkdtemp(join(tmpdir(), 'sy-bench-smoke-'));
  try {
    const child = spawn(process.execPath, [
      '--import', 'tsx', 'bench/main.ts',
      '--scenario', 'steady', '--duration', '1', '--rates', '20', '--connections', '4',
      '--gateways', '1', '--workers', '1', '--threads', '1', '--out', out,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (b: Buffer) => { log += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { log += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGINT'), 180_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    assert.equal(code, 0, `bench exited with ${code}:\n${log.slice(-4000)}`);
    assert.match(log, /steady switchyard 20\/s/, 'progress is printed while it runs');

    const files = await readdir(out);
    assert.ok(files.includes('report.json') && files.includes('report.md'), `report files written: ${files.join(', ')}`);
    assert.ok(files.some((f) => f.endsWith('.svg')), 'a latency chart is written');
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    for (const key of ['startedAt', 'finishedAt', 'command', 'machine', 'settings', 'budget', 'comparisons', 'skipped']) {
      assert.ok(key in report, `report.json has ${key}`);
    }
    const run = report.steady.switchyard[0].commands;
    for (const key of ['sent', 'accepted', 'answered', 'lost', 'duplicates', 'rejected', 'reconnects']) {
      assert.equal(typeof run[key], 'number', `steady run reports ${key}`);
    }
    assert.ok(run.sent > 0, 'commands were sent');
    for (const q of ['p50', 'p90', 'p99', 'p999', 'max']) assert.ok(q in run.acceptLatency && q in run.resultLatency, `latency ${q} reported`);
    assert.ok(Array.isArray(report.steady.byTarget.switchyard.processes) && report.steady.byTarget.switchyard.processes.length > 0, 'CPU and memory per process');
    assert.deepEqual(Object.keys(report.steady.byTarget).sort(), ['socketio', 'switchyard', 'sync'], 'both baselines ran on the same load');
    assert.ok(report.budget.length >= 8, 'the budget table has a row per target');
    for (const row of report.budget) assert.ok(['met', 'not met', 'not measured'].includes(row.verdict), `verdict of ${row.figure}`);
    assert.equal(report.skipped.churn, 'not selected (--scenario)', 'scenarios not run say why');
    const md = await readFile(join(out, 'report.md'), 'utf8');
    assert.match(md, /## Target vs measured/);
    assert.match(md, /\| steady switchyard 20\/s \|/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
