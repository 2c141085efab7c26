/** `npm run token -- <user> [hours]`: prints a development token (devTokens.ts) for `user`. */
import { DEV_JWT_SECRET, devToken } from './devTokens.js';

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
