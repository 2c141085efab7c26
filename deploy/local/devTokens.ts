/**
 * Development tokens: HS256 JWTs signed with the development secret that
 * `npm start` configures. Never use this secret outside a local stack.
 * `npm run token -- <user> [hours]` prints one (devTokenCli.ts).
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
