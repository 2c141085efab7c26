/**
 * Builds the development demo (client/demo) into a directory the gateway
 * serves (SY_STATIC_DIR): bundles demoApp.ts with esbuild, copies the page
 * and style, and writes config.json (client/demo/demoApp.ts DemoConfig)
 * with development tokens, the actor types the worker runs and what the
 * AI and payments panels talk to.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { DemoPageSettings } from './demoServices.js';

const demoSource = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'client', 'demo');

export interface DemoBuildOptions {
  outDir: string;
  /** @default derived by the page from its own location */
  wsUrl?: string;
  tokens: Record<string, string>;
  actors: string[];
  /** @default no AI description, payments without the local confirmer */
  settings?: DemoPageSettings;
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
  const config = { ...(options.wsUrl ? { wsUrl: options.wsUrl } : {}), tokens: options.tokens, actors: options.actors, ...options.settings };
  await writeFile(join(options.outDir, 'config.json'), JSON.stringify(config, null, 2));
}
