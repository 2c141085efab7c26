/**
 * The two pieces every local development HTTP helper of the stack needs
 * (the payment confirmer, the dev chain payer): a bounded body read and a
 * JSON reply with CORS open, since the demo page calls them from the
 * gateway's origin. Loopback tools only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type' });
  res.end(JSON.stringify(body));
}

/** The request body as text; the request is destroyed past 16 KiB. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => { size += c.length; if (size > 16_384) req.destroy(); else chunks.push(c); });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
