/** The counter panel: one command, its accepted → result timing in the panel and the log. */
import type { DemoContext } from './demoApp.js';

export function mountCounterPanel(ctx: DemoContext): void {
  const panel = document.getElementById('counter-panel')!;
  panel.hidden = false;
  const entity = document.getElementById('counter-entity') as HTMLInputElement;
  const output = document.getElementById('counter-value')!;
  const timing = document.getElementById('counter-timing')!;
  document.getElementById('counter-add')!.addEventListener('click', () => {
    ctx.run<{ value: number }>('counter', entity.value, 'add', { by: 1 }, { timing }).result.then(
      (r) => { output.textContent = `value ${r.value}`; },
      (err: { code?: string }) => { output.textContent = `error ${err.code}`; },
    );
  });
}
