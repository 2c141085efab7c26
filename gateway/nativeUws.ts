/**
 * Loads uWebSockets.js and refuses to run on its pure-JS fallback.
 *
 * The package `@trufflesuite/uws-js-unofficial` silently falls back to a
 * `ws`-based implementation when its native binary does not match the Node
 * ABI (it ships binaries for Node ≤ 20). The fallback would work, slowly and
 * without uWS's memory profile, which is exactly what the gateway promises
 * not to be — so start-up fails instead.
 */
import { createRequire } from 'node:module';
import type * as UwsModule from '@trufflesuite/uws-js-unofficial';

export type Uws = typeof UwsModule;

export class NativeUwsUnavailableError extends Error {
  override readonly name = 'NativeUwsUnavailableError';
  readonly code = 'UWS_NOT_NATIVE';
}

export function loadNativeUws(): Uws {
  if (/^(1|true)$/i.test(process.env.UWS_USE_FALLBACK ?? '')) {
    throw new NativeUwsUnavailableError('UWS_USE_FALLBACK is set: the gateway runs only on native uWebSockets.js; unset it.');
  }
  const require = createRequire(import.meta.url);
  const warn = console.warn;
  let fallbackReason = '';
  // The package explains a fallback with console.warn; capture it for our error instead of printing it.
  console.warn = (...args: unknown[]) => { fallbackReason += args.map(String).join(' '); };
  let uws: Uws;
  try {
    uws = require('@trufflesuite/uws-js-unofficial') as Uws;
  } finally {
    console.warn = warn;
  }
  if (!Function.prototype.toString.call(uws.App).includes('[native code]')) {
    throw new NativeUwsUnavailableError(
      `native uWebSockets.js did not load on Node ${process.version} (ABI ${process.versions.modules}); ` +
      `the gateway refuses to run on the JavaScript fallback. Use Node 20. ${fallbackReason.trim()}`.trim(),
    );
  }
  return uws;
}
