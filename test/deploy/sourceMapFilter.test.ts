/**
 * deploy/local/sourceMapFilter.ts on a real esbuild bundle of a project file
 * and a package: every generated position keeps its mapping into the
 * project file exactly, and maps to nothing where it mapped into the
 * package (coverage then reports the project file only, and nothing of the
 * package is counted against a neighbouring project line).
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { keepSources, type SourceMapV3 } from '../../deploy/local/sourceMapFilter.js';

/** The source and position `map` gives (line, column), 0-based; looked up within that line only, as coverage tools do. */
function lookUp(map: SourceMap, line: number, column: number): string {
  const entry = map.findEntry(line, column) as { generatedLine?: number; originalSource?: string; originalLine?: number; originalColumn?: number };
  if (entry.generatedLine !== line || !entry.originalSource) return 'none';
  return `${entry.originalSource}:${entry.originalLine}:${entry.originalColumn}`;
}

t.test('source map filter - project positions are kept exactly, package positions map to nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-sourcemap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'node_modules', 'pkg'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'pkg', 'package.json'), '{"name":"pkg","version":"1.0.0","main":"index.js"}');
  writeFileSync(join(dir, 'node_modules', 'pkg', 'index.js'), 'export function twice(x) {\n  return x * 2;\n}\nexport const unused = [1, 2, 3].map((n) => twice(n));\n');
  // first.ts comes before the package in the bundle, main.ts after it.
  writeFileSync(join(dir, 'src', 'first.ts'), 'export function one(): number {\n  return [1].length;\n}\n');
  writeFileSync(join(dir, 'src', 'main.ts'), "import { one } from './first.js';\nimport { twice } from 'pkg';\nexport function answer(n: number): number {\n  return twice(n) + one();\n}\nconsole.log(answer(20));\n");
  // Readable output (package and project code on separate lines) and one-line output (mixed on a line).
  for (const minifyWhitespace of [false, true]) {
    const built = buildSync({ absWorkingDir: dir, entryPoints: ['src/main.ts'], bundle: true, treeShaking: false, minifyWhitespace, format: 'esm', platform: 'node', sourcemap: 'external', outfile: join(dir, 'out', 'main.js'), write: false });
    const code = built.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    const full = JSON.parse(built.outputFiles.find((f) => f.path.endsWith('.map'))!.text) as SourceMapV3;

    const cut = keepSources(full, (source) => !source.includes('node_modules/'));
    assert.deepEqual(cut.sources, ['../src/first.ts', '../src/main.ts']);
    assert.equal(cut.sourcesContent?.[1], full.sourcesContent?.[full.sources.indexOf('../src/main.ts')]);

    const before = new SourceMap({ file: '', sourceRoot: '', ...full } as SourceMapPayload);
    const after = new SourceMap({ file: '', sourceRoot: '', ...cut } as SourceMapPayload);
    let project = 0;
    let dropped = 0;
    code.split('\n').forEach((text, line) => {
      for (let column = 0; column <= text.length; column++) {
        const was = lookUp(before, line, column);
        const is = lookUp(after, line, column);
        if (was.includes('node_modules/')) {
          assert.equal(is, 'none', `${minifyWhitespace ? 'one-line' : 'readable'}: line ${line + 1} column ${column} mapped into the package and must map to nothing`);
          dropped++;
        } else {
          assert.equal(is, was, `${minifyWhitespace ? 'one-line' : 'readable'}: line ${line + 1} column ${column}`);
          if (was !== 'none') project++;
        }
      }
    });
    assert.ok(project > 20 && dropped > 20, `positions checked: ${project} project, ${dropped} package`);
  }
});
