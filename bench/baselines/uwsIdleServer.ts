/**
 * Floor of the idle scenario: a bare uWS server that upgrades, answers the
 * client's `hello` with a constant `welcome` (so the bench's own client
 * counts the socket as open, exactly as on the gateway) and then only holds
 * the socket. No user data, no auth, no session, no bookkeeping per socket:
 * what an idle socket costs in uWS itself on this machine. The WebSocket
 * options are uWS's defaults (no compression, pings every idle timeout).
 */
import { loadNativeUws } from '../../gateway/nativeUws.js';
import { announceBaselineReady } from './baselineProcess.js';

const WELCOME = '{"type":"welcome","session":"floor","node":"floor","resumed":false,"recovered":false,"seq":0}';
const uws = loadNativeUws();
uws.App()
  .ws('/ws', { maxPayloadLength: 65_536, message: (ws) => { ws.send(WELCOME, false); } })
  .get('/readyz', (res) => { res.end('ready'); })
  .listen('127.0.0.1', 0, (token) => {
    if (!token) throw new Error('idle floor server could not listen');
    announceBaselineReady('uwsIdleServer', uws.us_socket_local_port(token));
  });
process.once('SIGTERM', () => process.exit(0));
