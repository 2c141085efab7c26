/**
 * Serves a directory of static files under `/app/` (the development demo, or
 * any web client shipped beside the gateway) when SY_STATIC_DIR is set.
 *
 * The directory is read once at start into memory (bounded by MAX_TOTAL_BYTES),
 * so serving never touches the disk and no request path reaches the file
 * system: a path that is not in the map is a 404, whatever it contains.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { TemplatedApp } from '@trufflesuite/uws-js-unofficial';
import { respondPathNotFound } from './httpResponse.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
/** Largest directory the gateway agrees to hold in memory. */
const MAX_TOTAL_BYTES = 32 * 1024 * 1024;
export const STATIC_PREFIX = '/app/';

interface StaticFile {
  body: Buffer;
  contentType: string;
}

export class StaticFiles {
  private constructor(private readonly files: Map<string, StaticFile>) {}

  /** Reads every file below `dir`; fails when the directory is missing or too large. */
  static async load(dir: string): Promise<StaticFiles> {
    const files = new Map<string, StaticFile>();
    let total = 0;
    const walk = async (current: string): Promise<void> => {
      for (const entry of await readdir(current, { withFileTypes: true })) {
        const path = join(current, entry.name);
        if (entry.isDirectory()) {
          await walk(path);
        } else if (entry.isFile()) {
          total += (await stat(path)).size;
          if (total > MAX_TOTAL_BYTES) throw new Error(`SY_STATIC_DIR ${dir} holds more than ${MAX_TOTAL_BYTES} bytes`);
          const url = relative(dir, path).split(sep).join('/');
          files.set(url, { body: await readFile(path), contentType: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' });
        }
      }
    };
    await walk(dir);
    return new StaticFiles(files);
  }

  register(app: TemplatedApp): void {
    app.get('/app', (res) => { res.writeStatus('301 Moved Permanently').writeHeader('Location', STATIC_PREFIX).end(); });
    app.get(`${STATIC_PREFIX}*`, (res, req) => {
      const path = req.getUrl().slice(STATIC_PREFIX.length) || 'index.html';
      const file = this.files.get(path);
      if (!file) {
        respondPathNotFound(res);
        return;
      }
      res.cork(() => res.writeHeader('Content-Type', file.contentType).writeHeader('Cache-Control', 'no-cache').end(file.body));
    });
  }
}
