/**
 * The protocol's written forms cannot drift from the code: the checked-in
 * JSON Schema equals what the TypeBox sources export, and protocol/README.md
 * documents every error code (with its close code and HTTP status), every
 * frame type and the HTTP and ACL contracts.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { driftedSchemaFiles } from '../../protocol/exportJsonSchema.js';
import { CLIENT_FRAMES, ERROR_CODES, SERVER_FRAMES } from '../../protocol/index.js';

const readme = readFileSync('protocol/README.md', 'utf8');

t.test('protocol - the checked-in JSON Schema matches the TypeBox sources (npm run schema)', async () => {
  assert.deepEqual(driftedSchemaFiles(), [], 'run npm run schema and commit protocol/schema/');
});

t.test('protocol - the README documents every error code with its WebSocket close code, HTTP status and retryability', async () => {
  for (const [code, row] of Object.entries(ERROR_CODES)) {
    assert.ok(readme.includes(`| \`${code}\` | ${row.wsClose} | ${row.http} | ${row.retryable ? 'yes' : 'no'} |`), `error table row for ${code}`);
  }
});

t.test('protocol - the README shows every frame type, the HTTP API and the ACL service contract', async () => {
  for (const type of [...Object.keys(CLIENT_FRAMES), ...Object.keys(SERVER_FRAMES)]) {
    assert.ok(readme.includes(`"type":"${type}"`), `an example of the ${type} frame`);
  }
  for (const phrase of ['POST /v1/commands', 'GET /v1/commands/:id', 'svc.acl.room', 'svc.acl.invalidate', 'recovered', 'SESSION_REPLACED']) {
    assert.ok(readme.includes(phrase), phrase);
  }
});
