/**
 * The dependency rules of ARCHITECTURE.md, checked on every import in the
 * source tree (run by `npm test`):
 *   protocol  ← platform ← (gateway | actors) ← actors/<feature>;
 *   protocol imports nothing of ours; features never import each other or the gateway;
 *   the gateway and the actors never import each other; client/ knows only protocol/;
 *   only integrations/ imports vendor SDKs;
 *   composition/ (every config section) is imported only by the process
 *   entry points (gateway/main.ts, actors/main.ts), tooling and tests;
 *   another area only through its face, `index.ts` (a feature reaches the
 *   actor runtime through `actors/runtime/index.ts` the same way).
 * Exits 1 listing every violation.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/** Top-level areas each area may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  protocol: [],
  platform: ['protocol'],
  integrations: ['protocol', 'platform'],
  gateway: ['protocol', 'platform', 'integrations'],
  actors: ['protocol', 'platform', 'integrations'],
  // The composition root: gathers what the processes are made of (every config section).
  composition: ['protocol', 'platform', 'integrations', 'gateway', 'actors'],
  client: ['protocol'],
  deploy: ['protocol', 'platform', 'gateway', 'actors', 'integrations', 'client', 'deploy', 'composition'],
  bench: ['protocol', 'platform', 'gateway', 'actors', 'integrations', 'client', 'deploy', 'composition'],
  test: ['protocol', 'platform', 'gateway', 'actors', 'integrations', 'client', 'deploy', 'bench', 'composition'],
};
/** Process entry points: besides their area's rules, they may import the composition root (and nothing else may). */
const ENTRY_POINTS = new Set([join('gateway', 'main.ts'), join('actors', 'main.ts')]);
/** Packages only integrations/ may import. */
export const VENDOR_SDKS = ['stripe', 'discord.js', '@discordjs/rest', 'discord-api-types', 'openai', '@anthropic-ai/sdk', '@google/generative-ai', 'ethers', 'viem'];
/**
 * Areas whose files reach another area only through its index.ts. Left out:
 * client/ (its browser bundle takes protocol modules one by one), and the
 * tooling and tests (deploy/, bench/, test/), which reach into internals on
 * purpose.
 */
const FACE_ONLY = new Set(['protocol', 'platform', 'integrations', 'gateway', 'actors', 'composition']);
/** Folders under actors/ that are the runtime, not features. */
const ACTOR_RUNTIME = new Set(['runtime']);

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

export function area(path: string): { top: string; feature?: string } {
  const parts = path.split(sep);
  const top = parts[0] ?? '';
  if (top === 'actors' && parts.length > 2 && !ACTOR_RUNTIME.has(parts[1]!)) return { top, feature: parts[1]! };
  return { top };
}

function isFace(target: string, top: string): boolean {
  return target === join(top, 'index.js') || target === join(top, 'index.ts');
}

function deepImportProblem(file: string, from: { top: string; feature?: string }, spec: string, target: string): string | undefined {
  const to = area(target);
  if (!FACE_ONLY.has(from.top)) return undefined;
  if (to.top !== from.top) {
    if (isFace(target, to.top)) return undefined;
    return `${file}: imports ${target} of ${to.top}/ (${spec}); another area is reached only through its index.ts`;
  }
  const runtime = join('actors', 'runtime');
  if (from.feature && target.startsWith(`${runtime}${sep}`) && !isFace(target, runtime)) {
    return `${file}: feature ${from.feature} imports ${target} (${spec}); features reach the runtime only through actors/runtime/index.ts`;
  }
  return undefined;
}

export function checkFile(file: string, text: string): string[] {
  const problems: string[] = [];
  const from = area(file);
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec) continue;
    if (spec.startsWith('.')) {
      const target = normalize(join(dirname(file), spec));
      const to = area(target);
      const deep = deepImportProblem(file, from, spec, target);
      if (to.top === from.top) {
        if (from.top === 'actors' && from.feature && to.feature && to.feature !== from.feature) {
          problems.push(`${file}: feature ${from.feature} imports feature ${to.feature} (${spec}); features meet only through NATS`);
        }
        if (from.top === 'actors' && !from.feature && to.feature && !file.endsWith(`actors${sep}registry.ts`) && !file.endsWith(`actors${sep}index.ts`)) {
          problems.push(`${file}: the actor runtime imports feature ${to.feature} (${spec}); only actors/registry.ts registers features`);
        }
        if (deep) problems.push(deep);
        continue;
      }
      // Benchmarks reuse the real-server harness of the tests, nothing else of test/.
      if (from.top === 'bench' && target.startsWith(`test${sep}harness${sep}`)) continue;
      const entryPointMayImport = to.top === 'composition' && ENTRY_POINTS.has(file);
      if (!(ALLOWED[from.top] ?? []).includes(to.top) && !entryPointMayImport) problems.push(`${file}: ${from.top}/ may not import ${to.top}/ (${spec})`);
      else if (deep) problems.push(deep);
    } else {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (VENDOR_SDKS.includes(pkg) && from.top !== 'integrations') problems.push(`${file}: only integrations/ may import the vendor SDK ${pkg}`);
      if (from.top === 'protocol' && pkg !== 'typebox' && !spec.startsWith('node:')) problems.push(`${file}: protocol/ may import only typebox (imports ${spec})`);
      if (from.top === 'client' && pkg !== 'typebox' && !spec.startsWith('node:')) problems.push(`${file}: client/ may import only protocol/ and typebox (imports ${spec})`);
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.cwd();
  const files = Object.keys(ALLOWED).flatMap((top) => { try { return sourceFiles(join(root, top)); } catch { return []; } });
  const problems = files.flatMap((f) => checkFile(relative(root, f), readFileSync(f, 'utf8')));
  if (problems.length > 0) {
    process.stderr.write(`dependency boundaries violated:\n  ${problems.join('\n  ')}\n`);
    process.exit(1);
  }
  process.stdout.write(`dependency boundaries: ${files.length} files checked, no violations\n`);
}
