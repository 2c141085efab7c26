/** Floor: a bare uWS WebSocket echo (no auth, no parsing), the lower bound of any gateway round trip. */
import { loadNativeUws } from '../../gateway/nativeUws.js';
import { announceBaselineReady } from './baselineProcess.js';

const uws = loadNativeUws();
uws.App()
  .ws('/ws', { maxPayloadLength: 65_536, message: (ws, message, isBinary) => { ws.send(message, isBinary); } })
  .get('/readyz', (res) => { res.end('ready'); })
  .listen('127.0.0.1', 0, (token) => {
    if (!token) throw new Error('echo server could not listen');
    announceBaselineReady('uwsEchoServer', uws.us_socket_local_port(token));
  });
process.once('SIGTERM', () => process.exit(0));
