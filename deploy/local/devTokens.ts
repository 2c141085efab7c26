/**
 * Development tokens: HS256 JWTs signed with the development secret that
 * `npm start` configures. Never use this secret outside a local stack.
 * `npm run token -- <user> [hours]` prints one.
 */
import { SignJWT } from 'jose';

export const DEV_JWT_SECRET = 'switchyard-local-development-secret';

export async function devToken(user: string, options: { secret?: string; expiresInS?: number; claims?: Record<string, unknown> } = {}): Promise<string> {
  return new SignJWT(options.claims ?? {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInS ?? 24 * 3600))
    .sign(new TextEncoder().encode(options.secret ?? DEV_JWT_SECRET));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const user = process.argv[2];
  if (!user) {
    process.stderr.write('usage: npm run token -- <user> [hours]\n');
    process.exit(2);
  }
  const hours = Number(process.argv[3] ?? 24);
  if (!(hours > 0 && hours <= 24 * 30)) {
    process.stderr.write('hours must be a number from 0 to 720\n');
    process.exit(2);
  }
  process.stdout.write(`${await devToken(user, { secret: process.env.SY_JWT_SECRET || DEV_JWT_SECRET, expiresInS: Math.round(hours * 3600) })}\n`);
}
