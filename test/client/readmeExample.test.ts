import t from 'tap';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startStack, type Stack } from '../harness/stackFixture.js';

let stack: Stack;
t.before(async () => { stack = await startStack(); });
t.teardown(async () => { await stack?.stop(); });

t.test('client README - the ten-line example works as written', async () => {
  const readme = readFileSync('client/README.md', 'utf8');
  const code = /## Ten lines\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(code, 'the README has the example block');
  const file = `example-${process.pid}.tmp.ts`;
  writeFileSync(file, code);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      env: { ...process.env, SWITCHYARD_URL: stack.wsUrl(), SWITCHYARD_TOKEN: await stack.token('readme') },
      timeout: 60_000,
    });
    assert.match(stdout, /^accepted \S+$/m);
    assert.match(stdout, /^result \{ value: 1 \}$/m);
  } finally {
    rmSync(file, { force: true });
  }
});
