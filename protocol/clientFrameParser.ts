/**
 * Parses one client text frame: JSON, then the schema of its `type`.
 * Validators are compiled once at module load. The result is either the
 * typed frame or the error body the gateway sends back (BAD_FRAME or
 * VALIDATION), never an exception.
 */
import { Compile } from 'typebox/compile';
import { CLIENT_FRAMES, PROTOCOL_LIMITS, type ClientFrame, type ClientFrameType } from './frames.js';
import type { ErrorBody } from './errors.js';

const validators = Object.fromEntries(
  Object.entries(CLIENT_FRAMES).map(([type, schema]) => [type, Compile(schema)]),
) as Record<ClientFrameType, ReturnType<typeof Compile>>;

export type ParsedClientFrame = { ok: true; frame: ClientFrame } | { ok: false; error: ErrorBody; id?: string };

export function parseClientFrame(text: string): ParsedClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'BAD_FRAME', message: 'The frame is not valid JSON.' } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: { code: 'BAD_FRAME', message: 'A frame must be a JSON object with a "type".' } };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(validators, type)) {
    return { ok: false, error: { code: 'BAD_FRAME', message: `Unknown frame type ${JSON.stringify(type ?? null)}; expected one of ${Object.keys(validators).join(', ')}.` } };
  }
  const validator = validators[type as ClientFrameType];
  if (validator.Check(value)) {
    const data = (value as { data?: unknown }).data;
    if (data !== undefined && depthExceeds(data, PROTOCOL_LIMITS.dataDepth)) {
      const error: ErrorBody = { code: 'VALIDATION', message: `Invalid ${type} frame at /data: nested deeper than ${PROTOCOL_LIMITS.dataDepth} levels.`, details: { path: '/data' } };
      const id = (value as { id?: unknown }).id;
      return typeof id === 'string' ? { ok: false, error, id } : { ok: false, error };
    }
    return { ok: true, frame: value as ClientFrame };
  }
  const first = validator.Errors(value)[0];
  const id = (value as { id?: unknown }).id;
  const where = first?.instancePath ? ` at ${first.instancePath}` : '';
  const error: ErrorBody = { code: 'VALIDATION', message: `Invalid ${type} frame${where}: ${first?.message ?? 'does not match the schema'}.` };
  if (first?.instancePath) error.details = { path: first.instancePath };
  return typeof id === 'string' ? { ok: false, error, id } : { ok: false, error };
}

/** True when objects/arrays nest deeper than `limit` (iterative: no stack to overflow). */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
