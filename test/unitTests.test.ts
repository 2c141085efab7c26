/**
 * The suite's pure tests, in one process. Each `*.unit.ts` file under test/
 * is a test file of its own (it runs alone: `npx tap <file>`), but under tap
 * every test process costs ~3 CPU-seconds of tap's own start-up (its
 * coverage loader's module-hook thread and source-map bookkeeping), more
 * than most of these tests take: measured on a test with one assertion,
 * 4.0–4.6 CPU-s under tap against 1.3 under plain node. Imported here in
 * path order, their tests run one after another in this one process.
 *
 * So a `*.unit.ts` file starts no server or process, changes nothing of the
 * process (environment, working directory) and registers no file-level
 * hooks (t.before, t.teardown): it shares the process with the others. A
 * test that needs any of that is a `*.test.ts` file.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function unitFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return unitFiles(path);
    return name.endsWith('.unit.ts') ? [path] : [];
  });
}

for (const file of unitFiles(dirname(fileURLToPath(import.meta.url)))) await import(pathToFileURL(file).href);
