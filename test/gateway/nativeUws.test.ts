import t from 'tap';
import assert from 'node:assert/strict';
import { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { loadNativeUws } from '../../gateway/nativeUws.js';

t.test('gateway - native uWebSockets.js is loaded on this Node', async () => {
  const uws = loadNativeUws();
  assert.match(Function.prototype.toString.call(uws.App), /\[native code\]/);
});

t.test('gateway - refuses to start when native uWebSockets.js did not load (JS fallback)', async () => {
  // UWS_USE_FALLBACK makes the package load its pure-JS fallback, exactly as on an unsupported Node.
  const p = new SwitchyardProcess('gateway', { UWS_USE_FALLBACK: '1', SY_JWT_SECRET: 'x'.repeat(32), NATS_URL: 'nats://127.0.0.1:1' });
  await assert.rejects(p.start(), /exited with code 1/);
  assert.match(p.output(), /native uWebSockets\.js|UWS_USE_FALLBACK/);
});
