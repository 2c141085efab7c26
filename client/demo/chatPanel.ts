/**
 * The chat panel (actor `messaging`, protocol/messaging.md): join a room
 * (created as a public room when it does not exist yet), see its history
 * and live messages through the room topic, who is online (presence
 * heartbeats), and send messages with a client id of your own so a resend
 * never posts twice. After a resume that could not replay everything it
 * catches up with `history {after}`.
 */
import type { EventFrame } from '../../protocol/frames.js';
import { roomTopic } from '../../protocol/messaging/limits.js';
import type { HistoryPage, Message } from '../../protocol/messaging/views.js';
import type { DemoContext } from './demoApp.js';
import { MessageList } from './messageList.js';

interface HeartbeatResult { heartbeatMs: number; online?: string[] }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Joins `room`, creating it (public) when nobody has; two users racing to create it both end up members. */
async function joinOrCreate(ctx: DemoContext, room: string, timing: HTMLElement): Promise<void> {
  try {
    await ctx.run('messaging', room, 'join', undefined, { timing });
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== 'FORBIDDEN') throw err; // FORBIDDEN: no such room (or a private one)
  }
  try {
    await ctx.run('messaging', room, 'create', { title: room, public: true }, { timing });
  } catch (err) {
    if ((err as { code?: string }).code !== 'CONFLICT') throw err; // someone created it just now
    await ctx.run('messaging', room, 'join', undefined, { timing });
  }
}

export function mountChatPanel(ctx: DemoContext): void {
  $('chat-panel').hidden = false;
  const roomInput = $<HTMLInputElement>('chat-room');
  const presence = $('chat-presence');
  const timing = $('chat-timing');
  const messages = new MessageList($<HTMLOListElement>('chat-messages'), ctx.user);
  const online = new Set<string>();
  let room: string | undefined;
  let leaveTopic: (() => void) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  const showOnline = () => {
    presence.replaceChildren(...[...online].sort().map((u) => Object.assign(document.createElement('span'), { className: 'online', textContent: u })));
    presence.dataset.online = [...online].sort().join(',');
  };
  const onEvent = (event: EventFrame) => {
    const data = event.data as { message?: Message; user?: string };
    if (event.name.startsWith('message.') && data.message) messages.show(data.message);
    else if (event.name === 'presence.joined' && data.user) { online.add(data.user); showOnline(); }
    else if (event.name === 'presence.left' && data.user) { online.delete(data.user); showOnline(); }
  };
  const beat = async (list: boolean) => {
    if (!room) return;
    const r = await ctx.client.send<HeartbeatResult>('messaging', room, 'presence.heartbeat', list ? { list: true } : undefined);
    if (r.online) { online.clear(); for (const u of r.online) online.add(u); showOnline(); }
    return r.heartbeatMs;
  };
  /** Pages forward from the highest seq shown until the room has nothing newer. */
  const catchUp = async () => {
    if (!room) return;
    for (;;) {
      const page = await ctx.run<HistoryPage>('messaging', room, 'history', { after: messages.lastSeq, limit: 100 }, { timing });
      for (const m of page.messages) messages.show(m);
      if (!page.hasMore || page.messages.length === 0) return;
    }
  };

  const open = async (next: string) => {
    leaveTopic?.();
    clearInterval(heartbeat);
    messages.clear();
    online.clear();
    showOnline();
    room = undefined;
    await joinOrCreate(ctx, next, timing);
    room = next;
    $('chat-panel').dataset.room = next;
    leaveTopic = ctx.client.subscribe(roomTopic(next), onEvent);
    const page = await ctx.run<HistoryPage>('messaging', next, 'history', { limit: 50 }, { timing });
    for (const m of page.messages) messages.show(m);
    const every = await beat(true);
    heartbeat = setInterval(() => { void beat(false).catch(() => {}); }, every ?? 10_000);
  };
  const report = (err: unknown) => { timing.textContent = `error ${(err as { code?: string }).code ?? ''} ${(err as Error).message ?? ''}`; };

  $('chat-join').addEventListener('click', () => { void open(roomInput.value.trim()).catch(report); });
  $<HTMLFormElement>('chat-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $<HTMLInputElement>('chat-text');
    const text = input.value.trim();
    if (!room || text === '') return;
    input.value = '';
    const target = room;
    const clientId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    ctx.run<{ seq: number; createdAt: number }>('messaging', target, 'post', { clientId, text }, { timing }).result.then(
      (r) => { if (room === target) messages.show({ room: target, seq: r.seq, author: ctx.user, text, createdAt: r.createdAt }); },
      report,
    );
  });
  ctx.client.on('recovery', (info) => { if (!info.recovered) void catchUp().catch(report); });
}
