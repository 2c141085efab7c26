/**
 * Builds the development demo (client/demo) into a directory the gateway
 * serves (SY_STATIC_DIR): bundles demoApp.ts with esbuild, copies the page
 * and style, and writes config.json with development tokens and the actor
 * types the worker runs.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const demoSource = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'client', 'demo');

export interface DemoBuildOptions {
  outDir: string;
  /** @default derived by the page from its own location */
  wsUrl?: string;
  tokens: Record<string, string>;
  actors: string[];
}

export async function buildDemo(options: DemoBuildOptions): Promise<void> {
  await mkdir(options.outDir, { recursive: true });
  await build({
    entryPoints: [join(demoSource, 'demoApp.ts')],
    outfile: join(options.outDir, 'demo.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  });
  await copyFile(join(demoSource, 'index.html'), join(options.outDir, 'index.html'));
  await copyFile(join(demoSource, 'demo.css'), join(options.outDir, 'demo.css'));
  const config = { ...(options.wsUrl ? { wsUrl: options.wsUrl } : {}), tokens: options.tokens, actors: options.actors };
  await writeFile(join(options.outDir, 'config.json'), JSON.stringify(config, null, 2));
}
