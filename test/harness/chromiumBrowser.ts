/**
 * Debian's `chromium` driven by playwright-core, headless, for browser
 * tests. The binary comes from the tool installer (deploy/local/install-tools.sh
 * installs it from Debian when running as root); when it is missing the
 * installer is run once more, and if there is still none `findChromium`
 * says why, so the test can skip loudly instead of passing quietly.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Flags for a quiet, deterministic headless run in a container (no sandbox: tests may run as root). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

function which(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The chromium binary, installing it through the tool installer if needed; or the reason there is none. */
export function findChromium(): { path: string } | { missing: string } {
  const found = which('chromium');
  if (found) return { path: found };
  try {
    execFileSync('bash', [join(root, 'deploy/local/install-tools.sh')], { stdio: 'ignore', timeout: 600_000 });
  } catch (err) {
    return { missing: `chromium is not installed and the tool installer failed (${(err as Error).message.split('\n')[0]})` };
  }
  const installed = which('chromium');
  return installed ? { path: installed } : { missing: 'chromium is not installed and cannot be installed here (needs root and apt-get: apt-get install chromium)' };
}

/**
 * Launches headless chromium. Playwright gives the browser a fresh
 * temporary user-data dir and removes it on close; each `newContext()` is
 * a separate user (own cookies and storage).
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
