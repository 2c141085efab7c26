/**
 * The per-command log (platform/logger.ts lazyChild): a command that writes
 * no line makes no pino child (making one runs the redaction over its
 * bindings); one that writes gets every binding on its lines, and secrets in
 * them are still redacted.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, lazyChild } from '../../platform/index.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString())); done(); } });
  return { lines, destination };
}

t.test('logger - a lazy child is made on the first line, not before; level checks answer from the parent', async () => {
  const { lines, destination } = capture();
  const parent = createLogger({ name: 'test', level: 'info', destination });
  let made = 0;
  const log = lazyChild(parent, () => { made++; return { command: 'c-1', token: 'secret-value' }; });
  assert.equal(log.isLevelEnabled('debug'), false);
  assert.equal(log.level, 'info');
  log.debug('below the level');
  assert.equal(made, 1, 'a call of a log method makes the child');
  const quiet = lazyChild(parent, () => { made++; return {}; });
  assert.equal(quiet.isLevelEnabled('info'), true);
  assert.equal(made, 1, 'a log never written to makes no child');
  log.warn({ attempt: 2 }, 'retrying');
  log.info('again');
  assert.equal(made, 1, 'the child is made once');
  await new Promise((r) => setImmediate(r));
  assert.equal(lines.length, 2);
  assert.deepEqual({ command: lines[0]!.command, attempt: lines[0]!.attempt, msg: lines[0]!.msg, token: lines[0]!.token }, { command: 'c-1', attempt: 2, msg: 'retrying', token: '[redacted]' });
  assert.equal(lines[1]!.command, 'c-1');
});
