/** The page's table of commands: one row per command, newest first, with its accepted → result timing. */
import { formatMs, type CommandTiming } from './commandTiming.js';

/** Most rows kept; older ones are dropped so a long session stays light. */
const MAX_ROWS = 200;

export class CommandLog {
  constructor(private readonly body: HTMLTableSectionElement) {}

  /** Adds a row for a command; the returned function updates it with the command's timing. */
  add(id: string, label: string): (timing: CommandTiming) => void {
    const row = this.body.insertRow(0);
    row.dataset.id = id;
    for (const text of [id, label, '…', '…', '']) row.insertCell().textContent = text;
    while (this.body.rows.length > MAX_ROWS) this.body.deleteRow(-1);
    return (t) => {
      row.cells[2]!.textContent = formatMs(t.accepted);
      row.cells[3]!.textContent = formatMs(t.result);
      row.cells[4]!.textContent = t.outcome ?? '';
      row.className = t.outcome === undefined ? '' : t.outcome === 'ok' ? 'ok' : 'failed';
    };
  }
}
