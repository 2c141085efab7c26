/**
 * The development demo: a page served by the gateway (`npm start` prints its
 * URL) that uses the client SDK like an application would. It shows the
 * connection state, each command's accepted → result timing, and a banner
 * when the client reconnects (visible when the gateway restarts). Feature
 * panels appear only for actors the worker runs (from config.json, written
 * by the local stack).
 */
import { SwitchyardClient, type CommandHandle } from '../index.js';
import { mountCounterPanel } from './counterPanel.js';

/** Written next to this page by the local stack. */
export interface DemoConfig {
  /** @default the `/ws` endpoint of the host that served the page */
  wsUrl?: string;
  /** Development tokens by user name. */
  tokens: Record<string, string>;
  /** Actor types the worker runs. */
  actors: string[];
}

export interface DemoContext {
  client: SwitchyardClient;
  user: string;
  /** Sends a command and records it in the command log with its timings. */
  run<T>(actor: string, entity: string, name: string, data?: unknown, onProgress?: (data: unknown) => void): CommandHandle<T>;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function main(): Promise<void> {
  const config = (await (await fetch('config.json')).json()) as DemoConfig;
  const users = Object.keys(config.tokens);
  const user = new URLSearchParams(location.search).get('user') ?? users[0]!;
  const select = $<HTMLSelectElement>('user');
  for (const u of users) select.add(new Option(u, u, u === user, u === user));
  select.onchange = () => { location.search = `?user=${encodeURIComponent(select.value)}`; };

  const wsUrl = config.wsUrl ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const client = new SwitchyardClient({ url: wsUrl, token: config.tokens[user]!, backoff: { baseMs: 200, capMs: 3000 } });
  const stateEl = $('state');
  client.on('state', (state) => { stateEl.textContent = state; stateEl.className = `state ${state}`; });
  client.on('welcome', (w) => { $('session').textContent = `session ${w.session} on ${w.node}`; });
  client.on('recovery', (info) => {
    const banner = $('banner');
    banner.hidden = false;
    banner.textContent = !info.resumed ? `Reconnected with a new session; ${info.resent.length} unanswered command(s) sent again.`
      : info.recovered ? `Reconnected at ${new Date().toLocaleTimeString()}: session resumed, every missed push replayed.`
      : `Reconnected: some pushes were past retention; ${info.resent.length} command(s) sent again.`;
  });
  setInterval(() => { $('seq').textContent = `seq ${client.lastSeq}`; }, 250);

  const log = $<HTMLTableSectionElement>('log');
  const ctx: DemoContext = {
    client,
    user,
    run(actor, entity, name, data, onProgress) {
      const started = performance.now();
      const handle = client.send(actor, entity, name, data, onProgress ? { onProgress } : {});
      const row = log.insertRow(0);
      row.dataset.id = handle.id;
      for (const text of [handle.id, `${actor}/${entity} ${name}`, '…', '…', '']) row.insertCell().textContent = text;
      const ms = () => `${(performance.now() - started).toFixed(1)} ms`;
      handle.accepted.then(() => { row.cells[2]!.textContent = ms(); }, () => {});
      handle.result.then(() => { row.cells[3]!.textContent = ms(); row.cells[4]!.textContent = 'ok'; },
        (err: { code?: string }) => { row.cells[3]!.textContent = ms(); row.cells[4]!.textContent = err.code ?? 'error'; });
      return handle as CommandHandle<never>;
    },
  };
  if (config.actors.includes('counter')) mountCounterPanel(ctx);
  await client.connect();
}

void main();
