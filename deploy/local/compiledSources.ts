/**
 * The gateway and worker entry points bundled once, for runs that start
 * many gateways and workers (the test suite).
 *
 * Under `tsx`, every module a process imports (its own and every package's)
 * passes through tsx's loader hooks on a separate thread; even transpiled,
 * node still resolves, reads and links ~1,600 ES modules (typebox, viem and
 * stripe alone are ~1,250 files). Bundled with esbuild — the same per-file
 * transform tsx applies, plus the packages in one file — a process reads
 * and compiles one file and starts with plain `node` in about a third of
 * the CPU.
 *
 * Each entry is written at its source path under `outDir` (gateway/main.js,
 * actors/main.js), which must lie inside the repository: the native uWS
 * package stays outside the bundle and is required from node_modules at
 * run time (gateway/nativeUws.ts). Tree shaking is off, so a bundled module
 * keeps every function of its .ts file and coverage counts the same code as
 * a per-file run. The linked source maps keep only the project's sources
 * (deploy/local/sourceMapFilter.ts), so coverage and stack traces map back
 * to the .ts files and the packages stay out of the coverage report.
 * Inside the bundle a package's CommonJS `__dirname` is undefined: the few
 * that read files beside themselves that way do it off the paths switchyard
 * uses (socket.io serving its client, off in gateway/socketIoEndpoint.ts;
 * bufferutil falls back to its JavaScript version).
 * entryCommand.ts runs the bundle when `SY_COMPILED_DIR` names such a
 * directory, and tsx otherwise.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { keepSources, type SourceMapV3 } from './sourceMapFilter.js';

/**
 * The entry points the suite starts as child processes many times over
 * (entryCommand.ts runs their bundles): gateways and workers, the DLQ CLI,
 * and the baselines of the bench's smoke run. Not bundled:
 * - bench/main.ts: its modules find files relative to their own
 *   `import.meta.url` (deploy/local/servers.ts the mongowire binary,
 *   bench/main.ts the baselines), which a bundle moves;
 * - the Socket.IO and uWS echo baselines: socket.io reads files beside its
 *   own modules.
 */
export const BUNDLED_ENTRIES = [
  'gateway/main.ts', 'actors/main.ts', 'actors/dlqCli.ts',
  'bench/baselines/barePathServer.ts', 'bench/baselines/benchActors.ts', 'bench/baselines/syncGateway.ts', 'bench/baselines/syncWorker.ts',
] as const;

/**
 * A module that runs a CLI when it is the process's main script
 * (`import.meta.url` against `process.argv[1]`) cannot be bundled: in a
 * bundle every module has the program's `import.meta.url`, so the CLI
 * would run inside whatever imported it. Such programs are files of their
 * own (deploy/local/devTokenCli.ts, clusterCli.ts, ...), and a bundle
 * that still reads `process.argv[1]` is refused.
 */
const MAIN_SCRIPT_CHECK = 'process.argv[1]';

/** Packages left to node: native addons, which cannot be bundled. */
const EXTERNAL_PACKAGES = ['@trufflesuite/uws-js-unofficial'];

/**
 * A package the project's sources import with `import()` (discord.js, the
 * OpenTelemetry SDK) is left to node, so a process that never calls it
 * neither reads nor compiles it: ~4 MB of the 10 MB. (A package the sources
 * imported both ways would be loaded twice; none is.)
 */
const lazyPackagesStayExternal: Plugin = {
  name: 'lazy-packages-stay-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      (args.kind === 'dynamic-import' && !args.importer.includes('node_modules') ? { path: args.path, external: true } : undefined));
  },
};

/**
 * CommonJS packages inside an ES module bundle call `require` for node's
 * built-ins; esbuild's stand-in throws there, so the bundle gets a real one.
 */
const REQUIRE_BANNER = "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);";

/** A source of the project's own, not a package's file or an esbuild shim (e.g. `node-modules-polyfills:util`). */
function isProjectSource(source: string): boolean {
  return !/node_modules\/|^[\w-]+:/.test(source);
}

/** Bundles each entry under `root` into `outDir` (emptied first; same relative paths, .js); returns the number of entries. */
export async function compileSources(root: string, outDir: string): Promise<number> {
  rmSync(outDir, { recursive: true, force: true }); // no stale copy of a deleted source
  const result = await build({
    absWorkingDir: root,
    entryPoints: [...BUNDLED_ENTRIES],
    outdir: outDir,
    outbase: '.',
    bundle: true,
    treeShaking: false,
    external: EXTERNAL_PACKAGES,
    plugins: [lazyPackagesStayExternal],
    banner: { js: REQUIRE_BANNER },
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    metafile: true,
  });
  for (const output of Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))) {
    if (readFileSync(join(root, output), 'utf8').includes(MAIN_SCRIPT_CHECK)) {
      throw new Error(`${output} reads ${MAIN_SCRIPT_CHECK}: a module it imports runs a CLI when it is the main script; move that CLI into a file of its own`);
    }
  }
  for (const output of Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js.map'))) {
    const path = join(root, output);
    const map = JSON.parse(readFileSync(path, 'utf8')) as SourceMapV3;
    writeFileSync(path, JSON.stringify(keepSources(map, isProjectSource)));
  }
  return BUNDLED_ENTRIES.length;
}
