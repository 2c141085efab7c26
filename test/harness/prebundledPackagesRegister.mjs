// Loaded with --import in every test process (.taprc). When test/run.ts has
// bundled the many-module packages (test/harness/prebundledPackages.ts) and
// named the directory in SY_TEST_PREBUNDLED_DIR, their import paths resolve
// to the bundles; otherwise this does nothing. Plain JavaScript: it runs
// before tsx can load TypeScript.
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';

const dir = process.env.SY_TEST_PREBUNDLED_DIR;
if (dir) {
  const imports = JSON.parse(readFileSync(join(dir, 'imports.json'), 'utf8'));
  register(new URL('./prebundledPackagesHooks.mjs', import.meta.url), { data: { imports } });
}
