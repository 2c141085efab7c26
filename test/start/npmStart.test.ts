import t from 'tap';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { WsTestClient } from '../harness/wsTestClient.js';

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
  } catch {
    return [];
  }
}
/** Running means present and not a zombie (an exited process not yet reaped runs nothing). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

t.test('npm start - the local stack answers welcome, accepted and result and serves the demo with a token per user; Ctrl-C leaves no child process', async (t) => {
  // The same program `npm start` runs after `npm run tools` (already done by `npm test`).
  const env: NodeJS.ProcessEnv = { ...process.env, SY_PORT: '0', SY_WORKER_METRICS_PORT: '0' };
  // What `npm start` gets on a fresh shell: no servers of the test run, and tsx rather than the suite's transpiled copy.
  for (const name of ['NATS_URL', 'REDIS_URL', 'MONGODB_URI', 'SY_COMPILED_DIR']) delete env[name];
  const stack = spawn(process.execPath, ['--import', 'tsx', 'deploy/local/stack.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  stack.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  stack.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  const exited = new Promise<number | null>((resolve) => stack.once('exit', (code) => resolve(code)));
  try {
    // Starting four servers and two processes under tsx: ~30 s on a quiet 2-core machine, more beside other test files.
    const deadline = Date.now() + 150_000;
    while (!/Ctrl-C stops everything/.test(out)) {
      assert.ok(Date.now() < deadline, `stack did not start:\n${out}`);
      assert.equal(stack.exitCode, null, `stack exited during start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ws = /WebSocket\s+(ws:\/\/\S+)/.exec(out)?.[1];
    const token = /dev token .*: (\S+)/.exec(out)?.[1];
    assert.ok(ws && token, `URL and token printed:\n${out}`);
    assert.match(out, /HTTP API\s+http:\/\//);
    assert.match(out, /metrics\s+http:\/\//);
    // The demo: one URL per user with that user's token, the page served, and each token valid for its user.
    const demoUrls = [...out.matchAll(/^\s+(\w+): (http:\/\/\S+\/app\/\?token=(\S+))$/gm)].map((m) => ({ user: m[1]!, url: m[2]!, token: m[3]! }));
    assert.deepEqual(demoUrls.map((d) => d.user), ['alice', 'bob'], `demo URLs for two users printed:\n${out}`);
    const page = await fetch(demoUrls[1]!.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /switchyard demo/);
    const config = await (await fetch(new URL('config.json', demoUrls[1]!.url))).json() as { actors: string[]; paymentsConfirmUrl?: string };
    for (const actor of ['messaging', 'ai', 'payments', 'counter']) assert.ok(config.actors.includes(actor), `npm start runs the ${actor} actor for the demo`);
    assert.ok(config.paymentsConfirmUrl, 'the local payment confirmer stands in for Stripe.js and webhooks');
    assert.match(out, /AI\s+local OpenAI-compatible stand-in .*CANNED answers/, 'the output says the AI answers are canned');
    const bob = await WsTestClient.hello(ws, demoUrls[1]!.token);
    assert.equal(bob.welcome.user, 'bob');
    await bob.client.close();

    const { client } = await WsTestClient.hello(ws, token);
    client.send({ type: 'cmd', id: 'start-1', actor: 'counter', entity: 'npm-start', name: 'add', data: { by: 2 } });
    await client.next((f) => f.type === 'accepted' && f.id === 'start-1');
    const result = await client.next((f) => f.type === 'result' && f.id === 'start-1');
    assert.equal(result.ok, true);
    await client.close();

    const children = childPids(stack.pid!);
    assert.ok(children.length >= 5, `servers, gateway and worker run as children (found ${children.length})`);
    stack.kill('SIGINT');
    assert.equal(await exited, 0, out);
    let leftover = children.filter(running);
    for (let i = 0; i < 30 && leftover.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      leftover = leftover.filter(running);
    }
    if (leftover.length > 0) t.comment(execFileSync('ps', ['-o', 'pid,stat,args', '-p', leftover.join(',')], { encoding: 'utf8' }));
    assert.deepEqual(leftover, [], 'no child process left running');
  } finally {
    // A failed run stops the stack the way Ctrl-C does (it stops its servers), then kills what is left.
    if (stack.exitCode === null) {
      const children = childPids(stack.pid!);
      stack.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      for (const pid of [stack.pid!, ...children]) if (running(pid)) process.kill(pid, 'SIGKILL');
    }
  }
});
