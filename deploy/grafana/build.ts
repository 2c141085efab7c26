/**
 * Writes the Grafana boards of boards.ts as JSON into deploy/grafana/dashboards/
 * (`npm run grafana:build`). The JSON is checked in, because Grafana's file
 * provisioning loads it as it is; a test fails when it differs from boards.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOARDS } from './boards.js';

export const DASHBOARDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'dashboards');

/** File name → file text, for every board. */
export function renderBoards(): Record<string, string> {
  return Object.fromEntries(Object.entries(BOARDS).map(([name, board]) => [`${name}.json`, `${JSON.stringify(board, null, 2)}\n`]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(DASHBOARDS_DIR, { recursive: true });
  for (const [file, text] of Object.entries(renderBoards())) {
    writeFileSync(join(DASHBOARDS_DIR, file), text);
    process.stdout.write(`wrote deploy/grafana/dashboards/${file}\n`);
  }
}
