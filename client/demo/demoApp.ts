/**
 * The development demo: a page served by the gateway (`npm start` prints its
 * URL) that uses the client SDK like an application would. It shows the
 * connection state, each command's accepted → result timing, and a banner
 * when the client reconnects (visible when the gateway restarts). Feature
 * panels appear only for actors the worker runs (from config.json, written
 * by the local stack); payments say so when they are not configured.
 *
 * Who you are: `?token=<jwt>` (any token the gateway accepts), else
 * `?user=<name>` picks one of the development tokens in config.json.
 */
import { SwitchyardClient, type CommandHandle } from '../index.js';
import { CommandLog } from './commandLog.js';
import { CommandTimer, describeTiming, type CommandTiming } from './commandTiming.js';
import { mountCounterPanel } from './counterPanel.js';
import { mountChatPanel } from './chatPanel.js';
import { mountAiPanel } from './aiPanel.js';
import { mountPaymentsPanel } from './paymentsPanel.js';
import { mountCryptoPanel } from './cryptoPanel.js';

/** Written next to this page by the local stack (deploy/local/demoBuild.ts). */
export interface DemoConfig {
  /** @default the `/ws` endpoint of the host that served the page */
  wsUrl?: string;
  /** Development tokens by user name. */
  tokens: Record<string, string>;
  /** Actor types the worker runs. */
  actors: string[];
  /** What answers AI prompts, in words for the page. @default not said */
  ai?: string;
  /** The local payment confirmer (stands in for Stripe.js and Stripe's webhooks). @default none: orders stay as Stripe leaves them */
  paymentsConfirmUrl?: string;
  /** The local dev chain payer (pays a crypto order's payment URI). @default none: pay with a wallet */
  cryptoPayUrl?: string;
}

export interface RunOptions {
  onProgress?: (data: unknown) => void;
  /** Where the panel shows this command's accepted → result timing. */
  timing?: HTMLElement;
}

export interface DemoContext {
  client: SwitchyardClient;
  config: DemoConfig;
  /** The authenticated user (from `welcome`). */
  user: string;
  /** Sends a command and shows its timings in the command log (and in `options.timing`). */
  run<T>(actor: string, entity: string, name: string, data?: unknown, options?: RunOptions): CommandHandle<T>;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function chooseToken(config: DemoConfig): { token: string; user: string | undefined } {
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (token) return { token, user: undefined };
  const users = Object.keys(config.tokens);
  const user = params.get('user') ?? users[0]!;
  return { token: config.tokens[user] ?? '', user };
}

function showRecovery(client: SwitchyardClient): void {
  client.on('recovery', (info) => {
    const banner = $('banner');
    banner.hidden = false;
    banner.textContent = !info.resumed ? `Reconnected at ${new Date().toLocaleTimeString()} with a new session; ${info.resent.length} unanswered command(s) sent again.`
      : info.recovered ? `Reconnected at ${new Date().toLocaleTimeString()}: session resumed, every missed push replayed.`
      : `Reconnected at ${new Date().toLocaleTimeString()}: some pushes were past retention; ${info.resent.length} command(s) sent again.`;
  });
}

async function main(): Promise<void> {
  const config = (await (await fetch('config.json')).json()) as DemoConfig;
  const chosen = chooseToken(config);
  const select = $<HTMLSelectElement>('user');
  for (const u of Object.keys(config.tokens)) select.add(new Option(u, u, u === chosen.user, u === chosen.user));
  select.onchange = () => { location.search = `?user=${encodeURIComponent(select.value)}`; };

  const wsUrl = config.wsUrl ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const client = new SwitchyardClient({ url: wsUrl, token: chosen.token, backoff: { baseMs: 200, capMs: 3000 } });
  const stateEl = $('state');
  client.on('state', (state) => { stateEl.textContent = state; stateEl.className = `state ${state}`; document.body.dataset.state = state; });
  client.on('welcome', (w) => { $('session').textContent = `${w.user} · session ${w.session.slice(0, 8)}… on ${w.node}`; });
  client.on('error', (err) => { $('banner').hidden = false; $('banner').textContent = `${err.code}: ${err.message}`; });
  showRecovery(client);
  setInterval(() => { $('seq').textContent = `seq ${client.lastSeq}`; }, 250);

  const welcome = await client.connect();
  if (!Object.keys(config.tokens).includes(welcome.user)) select.add(new Option(welcome.user, welcome.user, true, true));
  const log = new CommandLog($<HTMLTableSectionElement>('log'));
  const ctx: DemoContext = {
    client,
    config,
    user: welcome.user,
    run(actor, entity, name, data, options = {}) {
      let updateRow: ((t: CommandTiming) => void) | undefined;
      const timer = new CommandTimer((t) => {
        updateRow?.(t);
        if (options.timing) options.timing.textContent = `${name}: ${describeTiming(t)}`;
      });
      const onProgress = (d: unknown) => { timer.progressed(); options.onProgress?.(d); };
      const handle = client.send(actor, entity, name, data, { onProgress });
      updateRow = log.add(handle.id, `${actor}/${entity} ${name}`);
      timer.follow(handle);
      return handle as CommandHandle<never>;
    },
  };
  if (config.actors.includes('counter')) mountCounterPanel(ctx);
  if (config.actors.includes('messaging')) mountChatPanel(ctx);
  if (config.actors.includes('ai')) mountAiPanel(ctx);
  mountPaymentsPanel(ctx, config.actors.includes('payments'));
  mountCryptoPanel(ctx, config.actors.includes('crypto'));
  document.body.dataset.ready = 'true';
}

void main();
