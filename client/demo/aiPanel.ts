/**
 * The AI panel (actor `ai`, actors/ai/README.md): a prompt whose answer
 * streams in as `progress` pushes — appended when `offset` is the length
 * shown, started over at offset 0 (a retried generation) — then replaced by
 * the whole answer from the one `result`. Cancel sends the runtime's
 * `cancel` for the running chat. The conversation is the user's own
 * (`demo-<user>`): its first chat makes the sender its owner.
 */
import type { AiChatProgress, AiChatResult } from '../../protocol/ai.js';
import type { DemoContext } from './demoApp.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function mountAiPanel(ctx: DemoContext): void {
  $('ai-panel').hidden = false;
  const answer = $('ai-answer');
  const about = $('ai-about');
  const timing = $('ai-timing');
  const conversation = `demo-${ctx.user.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  about.textContent = ctx.config.ai ? `Answers come from ${ctx.config.ai}.` : '';
  let running: string | undefined;

  $<HTMLFormElement>('ai-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = $<HTMLInputElement>('ai-prompt').value.trim();
    if (text === '') return;
    answer.textContent = '';
    answer.dataset.state = 'streaming';
    const onProgress = (data: unknown) => {
      const p = data as AiChatProgress;
      if (p.offset === 0) answer.textContent = p.delta;
      else if (p.offset === (answer.textContent ?? '').length) answer.textContent += p.delta;
    };
    const handle = ctx.run<AiChatResult>('ai', conversation, 'chat', { text }, { onProgress, timing });
    running = handle.id;
    handle.result.then(
      (r) => {
        answer.textContent = r.answer;
        answer.dataset.state = 'done';
        about.textContent = `Answer ${r.turn} from ${r.simulated ? 'the SIMULATED provider (no model)' : `${r.provider} model “${r.model}”`}, ${r.usage.completionTokens} tokens${r.usage.estimated ? ' (estimated)' : ''}.`
          + (ctx.config.ai ? ` Provider: ${ctx.config.ai}.` : '');
      },
      (err: { code?: string; message?: string }) => {
        answer.dataset.state = 'failed';
        answer.textContent += `\n[${err.code}] ${err.message ?? ''}`;
      },
    ).finally(() => { if (running === handle.id) running = undefined; });
  });
  $('ai-cancel').addEventListener('click', () => {
    if (running) ctx.run('ai', conversation, 'cancel', { id: running }, { timing });
  });
}
