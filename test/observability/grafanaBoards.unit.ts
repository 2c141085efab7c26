import t from 'tap';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DASHBOARDS_DIR, renderBoards } from '../../deploy/grafana/build.js';

type Panel = { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource?: { uid: string }; targets?: Array<{ expr: string; format?: string; datasource?: { uid: string } }> };
type Board = { uid: string; title: string; panels: Panel[]; annotations: { list: Array<{ datasource: { uid: string }; expr?: string }> } };

const boards = Object.fromEntries(readdirSync(DASHBOARDS_DIR).map((f) => [f, JSON.parse(readFileSync(join(DASHBOARDS_DIR, f), 'utf8')) as Board]));

t.test('grafana - the JSON in deploy/grafana/dashboards is what boards.ts builds (run npm run grafana:build when this fails)', async () => {
  const built = renderBoards();
  assert.deepEqual(readdirSync(DASHBOARDS_DIR).sort(), Object.keys(built).sort());
  for (const [file, text] of Object.entries(built)) assert.equal(readFileSync(join(DASHBOARDS_DIR, file), 'utf8'), text, `${file} is stale`);
});

t.test('grafana - the three boards exist: gateway latency, actors, scaling', async () => {
  assert.deepEqual(Object.values(boards).map((b) => b.uid).sort(), ['switchyard-actors', 'switchyard-gateway', 'switchyard-scaling']);
});

t.test('grafana - every panel, target and query annotation uses the provisioned Prometheus datasource', async () => {
  const provisioned = parseYaml(readFileSync('deploy/grafana/provisioning/datasources/prometheus.yml', 'utf8')) as { datasources: Array<{ uid: string; type: string }> };
  assert.equal(provisioned.datasources.length, 1);
  const uid = provisioned.datasources[0]!.uid;
  for (const [file, board] of Object.entries(boards)) {
    for (const p of board.panels.filter((p) => p.type !== 'row')) {
      assert.equal(p.datasource?.uid, uid, `${file} panel ${p.title}`);
      assert.ok((p.targets ?? []).length > 0, `${file} panel ${p.title} has a query`);
      for (const t of p.targets ?? []) assert.equal(t.datasource?.uid, uid, `${file} panel ${p.title} target`);
    }
    for (const a of board.annotations.list.filter((a) => a.expr)) assert.equal(a.datasource.uid, uid, `${file} annotation`);
  }
});

t.test('grafana - panels sit on the 24-column grid without overlapping and have unique ids', async () => {
  for (const [file, board] of Object.entries(boards)) {
    const ids = board.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${file} panel ids are unique`);
    const cells = new Set<string>();
    for (const p of board.panels) {
      const { x, y, w, h } = p.gridPos;
      assert.ok(x >= 0 && w > 0 && x + w <= 24, `${file} panel ${p.title} fits 24 columns`);
      for (let i = x; i < x + w; i++) for (let j = y; j < y + h; j++) {
        assert.ok(!cells.has(`${i},${j}`), `${file} panel ${p.title} overlaps another at ${i},${j}`);
        cells.add(`${i},${j}`);
      }
    }
  }
});

t.test('grafana - heatmaps read histogram buckets as they are (format heatmap, sum by le of _bucket)', async () => {
  const heatmaps = Object.values(boards).flatMap((b) => b.panels.filter((p) => p.type === 'heatmap'));
  assert.ok(heatmaps.length >= 4);
  for (const p of heatmaps) {
    for (const t of p.targets ?? []) {
      assert.equal(t.format, 'heatmap', p.title);
      assert.match(t.expr, /^sum by \(le\) \(increase\(switchyard_\w+_bucket\{/, p.title);
    }
  }
});
