/**
 * The demo in a real browser: headless chromium (playwright-core) opens the
 * page the gateway serves in two browser contexts (alice and bob), both
 * join one room and chat; then THE gateway both pages are connected to is
 * drained (SIGTERM) and a new one started on the same port. A message sent
 * while it is down waits in the client's queue; more are sent after the
 * restart. Each page must show every message exactly once (DOM entries
 * counted per message text and per room seq) and say that it recovered.
 * The AI and payments panels run against the same offline services as
 * `npm start` (demoServices.ts). A screenshot goes to .tmp/ (git-ignored).
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildDemo } from '../../deploy/local/demoBuild.js';
import { startDemoServices, type DemoServices } from '../../deploy/local/demoServices.js';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { findChromium, launchChromium } from '../harness/chromiumBrowser.js';

const SCREENSHOT = resolve('.tmp/demo-screenshot.png');
const chromiumFound = findChromium();

let stack: Stack | undefined;
let services: DemoServices | undefined;
let browser: Browser | undefined;
let demoDir: string | undefined;

t.before(async () => {
  if ('missing' in chromiumFound) return;
  // Passing no environment: the demo services decide alone, whatever the caller's SY_AI_*/SY_STRIPE_* say.
  services = await startDemoServices({});
  stack = await startStack({ gateways: 0, workers: 1, env: services.env });
  browser = await launchChromium(chromiumFound.path);
});
t.teardown(async () => {
  await browser?.close();
  await stack?.stop();
  await services?.stop();
  if (demoDir) await rm(demoDir, { recursive: true, force: true });
});

async function startDemoGateway(s: Stack): Promise<SwitchyardProcess> {
  const gateway = await s.startGateway({ SY_STATIC_DIR: demoDir! });
  services!.gatewayStarted(s.httpUrl(gateway));
  return gateway;
}

/**
 * A new gateway on the port of the one that just exited. The drained
 * gateway closed its sockets first, so their TIME_WAIT entries hold the port
 * for up to 60 s and uWS cannot listen on it until they are gone (it does
 * not set SO_REUSEADDR): try again until it can. Returns the gateway and
 * how long the port stayed blocked.
 */
async function restartDemoGatewayOnPort(s: Stack, port: number): Promise<{ gateway: SwitchyardProcess; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    try {
      const gateway = await s.startGateway({ SY_STATIC_DIR: demoDir!, SY_PORT: String(port) });
      services!.gatewayStarted(s.httpUrl(gateway));
      return { gateway, waitedMs: Date.now() - started };
    } catch (err) {
      if (!/could not listen/.test(String(err)) || Date.now() - started > 120_000) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function openDemo(b: Browser, url: string): Promise<Page> {
  const page = await (await b.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 }).catch((err: Error) => {
    throw new Error(`${url} did not get ready: ${err.message}; page errors: ${problems.join('; ')}`);
  });
  return page;
}

async function joinRoom(page: Page, room: string): Promise<void> {
  await page.fill('#chat-room', room);
  await page.click('#chat-join');
  await page.waitForSelector(`#chat-panel[data-room="${room}"]`, { timeout: 60_000 });
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill('#chat-text', text);
  await page.press('#chat-text', 'Enter');
}

/** Waits until the page shows every one of `texts` (at least once). */
async function waitForTexts(page: Page, texts: string[]): Promise<void> {
  for (const text of texts) {
    await page.locator('#chat-messages li .text', { hasText: text }).first().waitFor({ timeout: 60_000 });
  }
}

/** Per message text, how many DOM entries show it; and the room seqs of all entries. */
async function chatEntries(page: Page): Promise<{ counts: Record<string, number>; seqs: string[] }> {
  const items = page.locator('#chat-messages li');
  const counts: Record<string, number> = {};
  const seqs: string[] = [];
  for (let i = 0; i < await items.count(); i++) {
    const text = (await items.nth(i).locator('.text').textContent()) ?? '';
    counts[text] = (counts[text] ?? 0) + 1;
    seqs.push((await items.nth(i).getAttribute('data-seq')) ?? '');
  }
  return { counts, seqs };
}

const skipReason = 'missing' in chromiumFound ? `SKIPPED: ${chromiumFound.missing}` : undefined;
if (skipReason) process.stderr.write(`\n*** demo browser test ${skipReason} ***\n\n`);

t.test('demo in chromium - two users chat through a gateway restart; both pages show every message exactly once', { skip: skipReason ?? false }, async (t) => {
  const s = stack!;
  const worker = s.workers[0]!;
  const actors = (worker.logLines().find((l) => l.msg === 'worker ready')?.actors as string[] | undefined) ?? [];
  for (const a of ['messaging', 'ai', 'payments', 'crypto']) assert.ok(actors.includes(a), `the worker runs ${a} (runs ${actors.join(', ')})`);
  demoDir = await mkdtemp(join(tmpdir(), 'sy-demo-browser-'));
  await buildDemo({ outDir: demoDir, tokens: { alice: await s.token('alice'), bob: await s.token('bob') }, actors, settings: services!.demo });
  const first = await startDemoGateway(s);
  const app = `${s.httpUrl(first)}/app/`;

  const alice = await openDemo(browser!, `${app}?user=alice`);
  const bob = await openDemo(browser!, `${app}?user=bob`);
  const room = `browser-${randomBytes(4).toString('hex')}`;
  await joinRoom(alice, room);
  await joinRoom(bob, room);
  await alice.waitForSelector('#chat-presence[data-online="alice,bob"]', { timeout: 60_000 });

  const tag = randomBytes(3).toString('hex');
  const sent: string[] = [];
  const post = async (page: Page, text: string) => { sent.push(text); await say(page, text); };
  await post(alice, `alice before the restart ${tag}`);
  await post(bob, `bob before the restart ${tag}`);
  await post(alice, `alice again before the restart ${tag}`);
  for (const page of [alice, bob]) await waitForTexts(page, sent);

  // Restart THE gateway both pages are connected to: drain it, then a new process on the same port.
  const port = first.port;
  assert.equal(await first.stop('SIGTERM'), 0, 'the gateway drains and exits cleanly');
  for (const page of [alice, bob]) await page.waitForSelector('body:not([data-state=open])', { timeout: 30_000 });
  await post(alice, `alice while the gateway is down ${tag}`);
  const { gateway: second, waitedMs } = await restartDemoGatewayOnPort(s, port);
  assert.equal(second.port, port);
  t.comment(`new gateway listening on the same port ${port} after ${waitedMs} ms (TIME_WAIT of the drained sockets)`);
  for (const page of [alice, bob]) {
    await page.waitForSelector('body[data-state=open]', { timeout: 60_000 });
    await page.waitForSelector('#banner:not([hidden])', { timeout: 60_000 });
  }
  await post(bob, `bob after the restart ${tag}`);
  await post(alice, `alice after the restart ${tag}`);
  for (const page of [alice, bob]) await waitForTexts(page, sent);

  for (const [name, page] of [['alice', alice], ['bob', bob]] as const) {
    const { counts, seqs } = await chatEntries(page);
    assert.deepEqual(counts, Object.fromEntries(sent.map((text) => [text, 1])), `${name}'s page shows each message once`);
    assert.equal(new Set(seqs).size, seqs.length, `${name}'s page: one entry per room seq`);
    const banner = await page.textContent('#banner');
    assert.match(banner ?? '', /^Reconnected/, `${name}'s page says it reconnected: ${banner}`);
    t.comment(`${name}: ${seqs.length} messages, seqs ${seqs.join(',')}; banner: ${banner}`);
  }

  // The other panels after the restart, on alice's page: an AI answer streams in, a payment succeeds.
  await alice.click('#ai-form button');
  await alice.locator('#ai-timing', { hasText: /first progress \d/ }).waitFor({ timeout: 60_000 });
  await alice.waitForSelector('#ai-answer[data-state=done]', { timeout: 60_000 });
  await alice.click('#pay-submit');
  await alice.click('#pay-orders li button:text("confirm")', { timeout: 60_000 });
  await alice.waitForSelector('#pay-orders li[data-status=succeeded]', { timeout: 60_000 });
  // The crypto panel: checkout, the payment URI paid from the local chain's dev account, confirmations counted up to paid.
  await alice.fill('#crypto-amount', '0.01');
  await alice.click('#crypto-submit');
  const cryptoOrder = alice.locator('#crypto-orders li').first();
  await cryptoOrder.locator('.crypto-uri', { hasText: /^ethereum:0x[0-9a-fA-F]{40}@31337\?value=10000000000000000$/ }).waitFor({ timeout: 60_000 });
  await cryptoOrder.locator('button.crypto-pay').click();
  await alice.waitForSelector('#crypto-orders li[data-status=seen]', { timeout: 60_000 });
  await alice.waitForSelector('#crypto-orders li[data-status=paid]', { timeout: 60_000 });
  assert.match(await cryptoOrder.locator('.crypto-summary').textContent() ?? '', /0\.01 ETH · paid/);
  await alice.click('#counter-add');
  await alice.locator('#counter-timing', { hasText: /result \d/ }).waitFor({ timeout: 60_000 });

  await mkdir(resolve('.tmp'), { recursive: true });
  await alice.screenshot({ path: SCREENSHOT, fullPage: true });
  t.comment(`screenshot of the demo: ${SCREENSHOT}`);
  process.stdout.write(`demo screenshot: ${SCREENSHOT}\n`);
});
