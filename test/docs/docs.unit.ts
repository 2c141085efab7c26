import t from 'tap';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configTable } from '../../platform/index.js';
import { CONFIG_SECTIONS } from '../../composition/index.js';
import { renderConfigTable } from '../../deploy/local/configTable.js';

const readme = readFileSync('README.md', 'utf8');

t.test('docs - the README shows the two commands and .ci/run runs the test one', async () => {
  assert.match(readme, /npm ci && npm start/);
  assert.match(readme, /npm ci && npm test/);
  const ci = readFileSync('.ci/run', 'utf8');
  assert.match(ci, /^npm ci && npm test$/m);
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>; engines: { node: string } };
  assert.ok(pkg.scripts.start && pkg.scripts.test, 'package.json has start and test scripts');
  assert.match(pkg.engines.node, /20/);
});

t.test('docs - the README configuration table lists every variable with its default', async () => {
  for (const row of configTable(CONFIG_SECTIONS)) {
    const shown = row.default === '' ? '(empty)' : `\`${String(row.default)}\``;
    assert.ok(readme.includes(`| \`${row.env}\` | ${shown} |`), `README row for ${row.env} with default ${shown} (run npm run docs:config)`);
  }
});

t.test('docs - the README configuration tables are generated section by section (run npm run docs:config when this fails)', async () => {
  assert.ok(readme.includes(renderConfigTable()), 'README.md configuration tables are stale: run npm run docs:config');
  for (const { title, owner } of CONFIG_SECTIONS) assert.ok(readme.includes(`**${title}** (\`${owner}\`)`), `README has the ${title} section`);
});
