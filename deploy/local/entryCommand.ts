/**
 * How every program of the repository is started as a child process
 * (gateways and workers, the bench and its baselines, the DLQ CLI): one way,
 * so each runs the same under `npm start`, the bench and the tests.
 *
 * - Normally the TypeScript entry runs through tsx.
 * - When `SY_COMPILED_DIR` holds a bundle of the entry (the test suite
 *   makes them: deploy/local/compiledSources.ts), plain node runs the
 *   bundle: about a third of the CPU of a start under tsx.
 * - Coverage of a bundle: when `SY_COMPILED_COVERAGE_DIR` is set too
 *   (test/run.ts sets it to tap's coverage directory), the process records
 *   its coverage with node's own NODE_V8_COVERAGE into that directory
 *   instead of through tap's per-process loader (@tapjs/processinfo, which
 *   tap puts in NODE_OPTIONS of every process a test starts). That loader
 *   runs a module-hook thread and converts each loaded file's bytes to text
 *   on the main thread: ~2 CPU-seconds per start for a 10 MB bundle. Both
 *   write the same V8 coverage format, with the source map, which tap's
 *   report (c8) reads from that directory.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface EntryCommand {
  command: string;
  args: string[];
  /** Added to the child's environment. */
  env: Record<string, string>;
}

/** NODE_OPTIONS without tap's processinfo loader (the `--import` of @tapjs/processinfo). */
function withoutTapLoader(nodeOptions: string): string {
  return nodeOptions.split(/\s+/).filter((option) => option !== '' && !option.includes('@tapjs/processinfo')).join(' ');
}

/**
 * The command that runs `entry` (a .ts path from the repository root, e.g.
 * `actors/dlqCli.ts`) with `args`: its bundle under SY_COMPILED_DIR when
 * there is one, with coverage as described above; else the source through tsx.
 */
export function entryCommand(entry: string, args: string[] = []): EntryCommand {
  const compiledDir = process.env.SY_COMPILED_DIR;
  const bundle = compiledDir ? join(compiledDir, entry.replace(/\.ts$/, '.js')) : undefined;
  const profile = cpuProfileArgs();
  if (!bundle || !existsSync(bundle)) return { command: process.execPath, args: [...profile, '--import', 'tsx', join(REPO_ROOT, entry), ...args], env: {} };
  const nodeOptions = process.env.NODE_OPTIONS ?? '';
  const coverageDir = process.env.SY_COMPILED_COVERAGE_DIR;
  // Only where tap would have recorded coverage (its loader is in NODE_OPTIONS and coverage is on for this test file).
  // tap's loader re-adds itself to NODE_OPTIONS on every spawn from a test process, so the bundle is started
  // through `env`, which sets NODE_OPTIONS without it.
  if (!coverageDir || !nodeOptions.includes('@tapjs/processinfo') || process.env._TAPJS_PROCESSINFO_COVERAGE_ === '0') {
    return { command: process.execPath, args: [...profile, bundle, ...args], env: {} };
  }
  return { command: '/usr/bin/env', args: [`NODE_OPTIONS=${withoutTapLoader(nodeOptions)}`, process.execPath, ...profile, bundle, ...args], env: { NODE_V8_COVERAGE: coverageDir } };
}

/**
 * With `SY_CPU_PROFILE_DIR` set, every program started this way writes a V8
 * CPU profile there when it exits normally (SIGTERM or its end, not
 * SIGKILL): e.g. `SY_CPU_PROFILE_DIR=/tmp/prof npm run bench -- --scenario
 * accept`. (Node refuses --cpu-prof in NODE_OPTIONS.)
 */
function cpuProfileArgs(): string[] {
  const dir = process.env.SY_CPU_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
