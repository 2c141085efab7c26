/**
 * Floor of the idle scenario: a bare uWS server that upgrades, answers the
 * client's `hello` with a constant `welcome` (so the bench's own client
 * counts the socket as open, exactly as on the gateway) and then only holds
 * the socket. No user data, no auth, no session, no bookkeeping per socket:
 * what an idle socket costs in uWS itself on this machine. The WebSocket
 * options are uWS's defaults (no compression, pings every idle timeout).
 */
import { loadNativeUws } from '../../gateway/nativeUws.js';
import { listenBaseline } from './baselineProcess.js';

const WELCOME = '{"type":"welcome","session":"floor","node":"floor","resumed":false,"recovered":false,"seq":0}';
const uws = loadNativeUws();
const app = uws.App()
  .ws('/ws', { maxPayloadLength: 65_536, message: (ws) => { ws.send(WELCOME, false); } })
  .get('/readyz', (res) => { res.end('ready'); });
await listenBaseline(uws, app, 'uwsIdleServer');
process.once('SIGTERM', () => process.exit(0));
