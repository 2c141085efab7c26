/**
 * The HTTP command API: POST /v1/commands answers 202 only after the
 * JetStream ack (same pipeline and de-duplication as WebSocket commands),
 * GET /v1/commands/:id gives the status and the result; every error has
 * its documented status and code.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { eventually, uniqueId } from './gatewayTestKit.js';

let stack: Stack;
t.before(async () => { stack = await startStack({ env: { SY_MAX_FRAME_BYTES: '2048' } }); });
t.teardown(async () => { await stack?.stop(); });

async function post(body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.httpUrl()}/v1/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function get(id: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.httpUrl()}/v1/commands/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

t.test('http - POST /v1/commands answers 202 after the JetStream ack; GET /v1/commands/:id gives the result; a retry is deduplicated', async () => {
  const token = await stack.token('http-user');
  const id = uniqueId('http');
  const entity = uniqueId('http-entity');
  const command = { id, actor: 'counter', entity, name: 'add', data: { by: 4 } };
  assert.deepEqual(await post(command, token), { status: 202, body: { id, status: 'accepted' } });
  const done = await eventually('the result', async () => {
    const r = await get(id, token);
    return r.body.status === 'done' ? r : undefined;
  });
  assert.equal(done.status, 200);
  assert.deepEqual((done.body.result as { ok: boolean; data: unknown }).data, { value: 4 });
  assert.equal(typeof (done.body.result as { seq: number }).seq, 'number');
  assert.deepEqual(await post(command, token), { status: 202, body: { id, status: 'accepted' } });
  const check = uniqueId('http-get');
  await post({ id: check, actor: 'counter', entity, name: 'get' }, token);
  const state = await eventually('the get result', async () => {
    const r = await get(check, token);
    return r.body.status === 'done' ? r : undefined;
  });
  assert.deepEqual((state.body.result as { data: unknown }).data, { value: 4, applied: 1 }, 'the retry was not applied again');
});

t.test('http - errors: no or bad token 401, bad JSON and invalid fields 400, oversize body 413, unknown id 404 — each with its code', async () => {
  const token = await stack.token('http-errors');
  const valid = { id: uniqueId(), actor: 'counter', entity: 'e', name: 'add', data: { by: 1 } };
  const cases: Array<[string, Promise<{ status: number; body: Record<string, unknown> }>, number, string]> = [
    ['no token', post(valid), 401, 'AUTH_REQUIRED'],
    ['bad token', post(valid, 'not-a-jwt'), 401, 'AUTH_FAILED'],
    ['bad JSON', post('{oops', token), 400, 'BAD_FRAME'],
    ['invalid field', post({ ...valid, entity: 'a.b' }, token), 400, 'VALIDATION'],
    ['unknown field', post({ ...valid, extra: 1 }, token), 400, 'VALIDATION'],
    ['oversize', post({ ...valid, data: { pad: 'x'.repeat(4000) } }, token), 413, 'FRAME_TOO_LARGE'],
    ['unknown id', get('never-sent', token), 404, 'NOT_FOUND'],
  ];
  for (const [what, response, status, code] of cases) {
    const r = await response;
    assert.equal(r.status, status, what);
    assert.equal((r.body.error as { code: string }).code, code, what);
  }
  const other = await get(valid.id, await stack.token('someone-else'));
  assert.equal(other.status, 404, 'a user never sees another user\'s command');
});

t.test('http - an unknown path is 404 NOT_FOUND and a wrong method 405 METHOD_NOT_ALLOWED (with Allow), both in the JSON error shape', async () => {
  const cases: Array<[string, string, number, string, string | null]> = [
    ['GET', '/no/such/path', 404, 'NOT_FOUND', null],
    ['POST', '/v2/commands', 404, 'NOT_FOUND', null],
    ['PUT', '/v1/commands', 405, 'METHOD_NOT_ALLOWED', 'POST'],
    ['GET', '/v1/commands', 405, 'METHOD_NOT_ALLOWED', 'POST'],
    ['DELETE', '/v1/commands/c-1', 405, 'METHOD_NOT_ALLOWED', 'GET'],
  ];
  for (const [method, path, status, code, allow] of cases) {
    const res = await fetch(`${stack.httpUrl()}${path}`, { method });
    const what = `${method} ${path}`;
    assert.equal(res.status, status, what);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/, what);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, code, what);
    assert.ok(body.error.message.length > 0, what);
    assert.equal(res.headers.get('allow'), allow, what);
  }
});
