/**
 * A command key as a MongoDB field name: command keys hold user tokens and
 * client ids (any subject-token characters, `=` and `:` included, up to ~200
 * characters); a field name must not contain `.` or start with `$`, and
 * short names keep the per-user documents small. 96 bits of SHA-256 in hex.
 */
import { createHash } from 'node:crypto';

export function commandDigest(commandKey: string): string {
  return createHash('sha256').update(commandKey).digest('hex').slice(0, 24);
}
