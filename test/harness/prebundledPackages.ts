/**
 * Packages that ship as hundreds of small ES modules, bundled once per test
 * run into one file per import path, for the test processes (test/run.ts).
 *
 * A test file runs under tsx and tap's loaders, which pass every module a
 * process imports through hooks on a separate thread. typebox alone is 683
 * modules, imported by every test that touches protocol/: ~1.5 CPU-seconds
 * of each test process. Bundled (one build with shared chunks, so each
 * package module still exists once and package state is not duplicated),
 * it is a few files. test/harness/prebundledPackagesRegister.mjs points the
 * listed import paths at the bundles when `SY_TEST_PREBUNDLED_DIR` is set;
 * without it (a bare `npx tap`), packages load from node_modules as usual.
 *
 * The bundles live under node_modules/.cache, so coverage leaves them out
 * like any package, and `npm ci` removes them with the packages they copy.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** Import paths the project uses, of packages made of many ES modules (typebox 683, viem 359, stripe 218, jose 46). */
export const PREBUNDLED_IMPORTS = ['typebox', 'typebox/compile', 'viem', 'viem/accounts', 'stripe', 'jose'] as const;

/** File, in the bundle directory, mapping each import path to its bundle's URL. */
export const PREBUNDLED_MAP = 'imports.json';

/** Bundles PREBUNDLED_IMPORTS from `root`'s node_modules into a fresh directory; returns it. */
export async function prebundlePackages(root: string): Promise<string> {
  const outDir = join(root, 'node_modules', '.cache', 'switchyard-prebundled');
  // Fresh files, never rewritten in place: a node_modules copied with hard links (cp -al) shares them with another checkout.
  rmSync(outDir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: PREBUNDLED_IMPORTS.map((path) => ({ in: path, out: path })),
    outdir: outDir,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // CommonJS parts of a package call `require` for node's built-ins.
    banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
    logLevel: 'warning',
  });
  const imports = Object.fromEntries(PREBUNDLED_IMPORTS.map((path) => [path, pathToFileURL(join(outDir, `${path}.js`)).href]));
  writeFileSync(join(outDir, PREBUNDLED_MAP), JSON.stringify(imports));
  return outDir;
}
