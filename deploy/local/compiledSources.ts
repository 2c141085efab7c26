/**
 * The product's sources transpiled to JavaScript once, for runs that start
 * many gateways and workers (the test suite).
 *
 * Under `tsx`, every module a process imports (its own and every package's)
 * passes through tsx's loader hooks on a separate thread: about 2 of the 4
 * CPU-seconds a worker needs to start. Transpiled once with esbuild — the
 * same per-file transform tsx applies, so the code that runs is the same —
 * a process starts with plain `node` and skips the hooks.
 *
 * The output mirrors the source tree under `outDir`, which must lie inside
 * the repository so that packages still resolve from its node_modules.
 * Linked source maps carry the sources, so coverage and stack traces map
 * back to the .ts files. SwitchyardProcess runs the compiled entry when
 * `SY_COMPILED_DIR` names such a directory, and tsx otherwise.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

/** The source folders a gateway or worker imports from (test/boundaries/checkBoundaries.ts keeps them from importing any other). */
const SOURCE_DIRS = ['protocol', 'platform', 'gateway', 'actors', 'integrations', 'composition'];

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return typeScriptFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Transpiles the sources under `root` into `outDir` (emptied first; same relative paths, .js); returns the number of files. */
export async function compileSources(root: string, outDir: string): Promise<number> {
  rmSync(outDir, { recursive: true, force: true }); // no stale copy of a deleted source
  const entryPoints = SOURCE_DIRS.flatMap((d) => typeScriptFiles(join(root, d))).map((f) => relative(root, f));
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir: outDir,
    outbase: '.',
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return entryPoints.length;
}
