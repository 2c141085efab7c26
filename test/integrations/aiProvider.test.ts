/**
 * integrations/ai: the OpenAI-compatible provider over fetch against a local
 * server speaking the Chat Completions streaming format
 * (deploy/local/chatCompletionsServer.ts), and the simulated provider.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import {
  OpenAiCompatibleChatProvider, SimulatedChatProvider, SIMULATED_LABEL, chatProviderFromConfig, IntegrationError,
  type ChatChunk, type ChatProvider, type ChatRequest, type OpenAiCompatibleOptions,
} from '../../integrations/index.js';
import { loadConfig as loadSections } from '../../platform/index.js';
import { CONFIG_SECTIONS } from '../../composition/index.js';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../../deploy/local/chatCompletionsServer.js';
import { captureLogger } from '../harness/capturedLogger.js';
import { integrationError, since } from '../harness/integrationAssertions.js';

const loadConfig = (env: Record<string, string>) => loadSections(env, CONFIG_SECTIONS);

let ai: ChatCompletionsServer;
t.before(async () => { ai = await startChatCompletionsServer(); });
t.teardown(async () => { await ai?.stop(); });

const API_KEY = 'sk-test-NEVER-LOGGED-5f3a';
const PROMPT_MARKER = 'PROMPT-MARKER-do-not-log-me';
const request: ChatRequest = {
  messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `What is the answer? ${PROMPT_MARKER}` }],
  maxTokens: 64,
  temperature: 0.2,
};

function provider(options: Partial<OpenAiCompatibleOptions> = {}): OpenAiCompatibleChatProvider {
  return new OpenAiCompatibleChatProvider({ baseUrl: ai.baseUrl, model: 'test-model', apiKey: API_KEY, initialBackoffMs: 20, ...options });
}

async function collect(p: ChatProvider, req: ChatRequest = request, signal?: AbortSignal): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const c of p.stream(req, signal ? { signal } : {})) chunks.push(c);
  return chunks;
}

function texts(chunks: ChatChunk[]): string[] {
  return chunks.flatMap((c) => (c.type === 'text' ? [c.text] : []));
}



t.test('ai provider - streamed chunks arrive in order and end with the usage the server reported', async () => {
  const first = ai.requests.length;
  ai.script({ kind: 'stream', pieces: ['The ', 'answer ', 'is ', '42.'], delayMs: 5, usage: { prompt_tokens: 17, completion_tokens: 4 } });
  const chunks = await collect(provider());
  assert.deepEqual(texts(chunks), ['The ', 'answer ', 'is ', '42.']);
  assert.deepEqual(chunks.at(-1), { type: 'done', usage: { promptTokens: 17, completionTokens: 4, estimated: false }, finishReason: 'stop', model: 'test-model' });
  assert.equal(chunks.filter((c) => c.type === 'done').length, 1);

  const [sent] = since(ai.requests, first);
  assert.equal(sent!.headers.authorization, `Bearer ${API_KEY}`);
  assert.deepEqual(JSON.parse(sent!.body), {
    model: 'test-model', messages: request.messages, stream: true, stream_options: { include_usage: true }, max_tokens: 64, temperature: 0.2,
  });
});

t.test('ai provider - a server that reports no usage gets an estimate, marked as such', async () => {
  ai.script({ kind: 'stream', pieces: ['twelve chars'], usage: null });
  const done = (await collect(provider())).at(-1);
  assert.equal(done?.type, 'done');
  assert.deepEqual(done?.type === 'done' && done.usage, { promptTokens: Math.ceil((9 + request.messages[1]!.content.length) / 4), completionTokens: 3, estimated: true });
});

t.test('ai provider - 429 then 200: one answer, and the retry waited for Retry-After (seconds)', async () => {
  const first = ai.requests.length;
  ai.script({ kind: 'status', status: 429, headers: { 'retry-after': '1' }, error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
    { kind: 'stream', pieces: ['after ', 'the ', 'wait'] });
  const chunks = await collect(provider());
  assert.deepEqual(texts(chunks), ['after ', 'the ', 'wait'], 'one answer, not two');
  const requests = since(ai.requests, first);
  assert.equal(requests.length, 2);
  const gap = requests[1]!.at - requests[0]!.at;
  assert.ok(gap >= 1000, `the second request came ${gap} ms after the first; Retry-After asked for 1000`);
});

t.test('ai provider - Retry-After as an HTTP date is honoured too', async () => {
  const first = ai.requests.length;
  const retryAt = new Date(Date.now() + 2000).toUTCString(); // whole seconds
  ai.script({ kind: 'status', status: 503, headers: { 'retry-after': retryAt } }, { kind: 'stream', pieces: ['ok'] });
  assert.deepEqual(texts(await collect(provider())), ['ok']);
  const requests = since(ai.requests, first);
  assert.equal(requests.length, 2);
  assert.ok(requests[1]!.at >= Date.parse(retryAt), 'the second request came at or after the date the server named');
});

t.test('ai provider - 500 on every attempt ends in a transient UNAVAILABLE after the configured attempts', async () => {
  const first = ai.requests.length;
  ai.script(...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 500 })));
  await assert.rejects(collect(provider({ maxAttempts: 3 })), (err: unknown) => {
    integrationError('ai', 'UNAVAILABLE', true)(err);
    assert.equal((err as IntegrationError).details?.attempts, 3);
    assert.equal((err as IntegrationError).details?.status, 500);
    return true;
  });
  assert.equal(since(ai.requests, first).length, 3);
  ai.script();
});

t.test('ai provider - 401 and 403 are final (not retried); 400 is VALIDATION', async () => {
  for (const [status, code] of [[401, 'VENDOR_REJECTED'], [403, 'VENDOR_REJECTED'], [400, 'VALIDATION']] as const) {
    const first = ai.requests.length;
    ai.script({ kind: 'status', status, error: { message: `scripted ${status}` } }, { kind: 'stream', pieces: ['must not be reached'] });
    await assert.rejects(collect(provider()), integrationError('ai', code, false));
    assert.equal(since(ai.requests, first).length, 1, `${status} is not retried`);
  }
  ai.script();
});

t.test('ai provider - a provider that stays silent times out and the request is retried', async () => {
  const first = ai.requests.length;
  ai.script({ kind: 'hang' }, { kind: 'stream', pieces: ['second ', 'try'] });
  assert.deepEqual(texts(await collect(provider({ timeoutMs: 1000 }))), ['second ', 'try']);
  const requests = since(ai.requests, first);
  assert.equal(requests.length, 2);
  await ai.server.waitFor(() => requests[0]!.closedEarlyAt !== undefined); // the silent request was closed, not left open
});

t.test('ai provider - a stream that breaks midway is not retried: the caller already has part of the answer', async () => {
  const first = ai.requests.length;
  ai.script({ kind: 'stream', pieces: ['partial ', 'answer ', 'lost'], breakAfter: 1 }, { kind: 'stream', pieces: ['must not be reached'] });
  const seen: string[] = [];
  await assert.rejects((async () => { for await (const c of provider().stream(request)) if (c.type === 'text') seen.push(c.text); })(), (err: unknown) => {
    integrationError('ai', 'UNAVAILABLE', true)(err);
    assert.equal((err as IntegrationError).details?.partial, true);
    return true;
  });
  assert.deepEqual(seen, ['partial ']);
  assert.equal(since(ai.requests, first).length, 1);
});

t.test('ai provider - abort mid-stream cancels the HTTP request: the server sees it closed', async () => {
  const first = ai.requests.length;
  ai.script({ kind: 'stream', pieces: Array.from({ length: 50 }, (_, i) => `w${i} `), delayMs: 50 });
  const controller = new AbortController();
  const seen: string[] = [];
  await assert.rejects((async () => {
    for await (const c of provider().stream(request, { signal: controller.signal })) {
      if (c.type === 'text') seen.push(c.text);
      if (seen.length === 2) controller.abort();
    }
  })(), integrationError('ai', 'CANCELLED', false));
  assert.deepEqual(seen, ['w0 ', 'w1 ']);
  const [req] = since(ai.requests, first);
  await ai.server.waitFor(() => req!.closedEarlyAt !== undefined);
});

t.test('ai provider - a caller that stops reading closes the HTTP request', async () => {
  const first = ai.requests.length;
  ai.script({ kind: 'stream', pieces: Array.from({ length: 50 }, (_, i) => `w${i} `), delayMs: 50 });
  for await (const c of provider().stream(request)) { if (c.type === 'text') break; }
  const [req] = since(ai.requests, first);
  await ai.server.waitFor(() => req!.closedEarlyAt !== undefined);
});

t.test('ai provider - logs never contain the API key or the prompt', async () => {
  const captured = captureLogger('trace');
  const p = provider({ logger: captured.logger, maxAttempts: 2 });
  ai.script({ kind: 'stream', pieces: ['fine'] });
  await collect(p);
  ai.script({ kind: 'status', status: 429, headers: { 'retry-after': '0' } }, { kind: 'status', status: 500 });
  await assert.rejects(collect(p), integrationError('ai', 'UNAVAILABLE', true));
  ai.script({ kind: 'status', status: 401, error: { message: 'Incorrect API key provided' } });
  await assert.rejects(collect(p), (err: unknown) => { captured.logger.error({ err }, 'a caller logging the whole error'); return true; });
  const text = captured.text();
  assert.match(text, /ai answer complete/, 'the provider does log');
  assert.match(text, /ai request will be retried/);
  assert.match(text, /ai request failed/);
  assert.ok(!text.includes(API_KEY), 'no API key in logs');
  assert.ok(!text.includes(PROMPT_MARKER), 'no prompt in logs');
});

t.test('simulated provider - streams a canned answer word by word, labelled as simulated, and can be cancelled', async () => {
  const p = new SimulatedChatProvider({ firstChunkDelayMs: 5, chunkDelayMs: 2 });
  assert.deepEqual(p.info, { provider: 'simulated', model: 'simulated', simulated: true });
  const chunks = await collect(p, { messages: [{ role: 'user', content: 'hello there' }] });
  const answer = texts(chunks).join('');
  assert.ok(texts(chunks).length > 10, 'many chunks, like a model');
  assert.ok(answer.startsWith(SIMULATED_LABEL), 'the answer itself says it is simulated');
  assert.match(answer, /hello there/);
  assert.equal(chunks.at(-1)?.type, 'done');

  const controller = new AbortController();
  const seen: string[] = [];
  await assert.rejects((async () => {
    for await (const c of p.stream({ messages: [{ role: 'user', content: 'stop me' }] }, { signal: controller.signal })) {
      if (c.type === 'text') seen.push(c.text);
      if (seen.length === 3) controller.abort();
    }
  })(), integrationError('ai', 'CANCELLED', false));
  assert.equal(seen.length, 3);
});

t.test('ai config - the simulated provider is the default and says so in the log; openai points at SY_AI_BASE_URL', async () => {
  const captured = captureLogger('info');
  const simulated = chatProviderFromConfig(loadConfig({}).config, captured.logger);
  assert.equal(simulated.info.simulated, true);
  assert.match(captured.text(), /SIMULATED/);

  const { config } = loadConfig({ SY_AI_PROVIDER: 'openai', SY_AI_BASE_URL: ai.baseUrl, SY_AI_MODEL: 'from-config', SY_AI_API_KEY: API_KEY });
  const real = chatProviderFromConfig(config, captured.logger);
  assert.deepEqual(real.info, { provider: 'openai-compatible', model: 'from-config', simulated: false });
  const first = ai.requests.length;
  ai.script({ kind: 'stream', pieces: ['configured'] });
  assert.deepEqual(texts(await collect(real)), ['configured']);
  assert.equal(JSON.parse(since(ai.requests, first)[0]!.body).model, 'from-config');
  assert.ok(!captured.text().includes(API_KEY));
});
