/** Floor: a bare uWS WebSocket echo (no auth, no parsing), the lower bound of any gateway round trip. */
import { loadNativeUws } from '../../gateway/nativeUws.js';
import { listenBaseline } from './baselineProcess.js';

const uws = loadNativeUws();
const app = uws.App()
  .ws('/ws', { maxPayloadLength: 65_536, message: (ws, message, isBinary) => { ws.send(message, isBinary); } })
  .get('/readyz', (res) => { res.end('ready'); });
await listenBaseline(uws, app, 'uwsEchoServer');
process.once('SIGTERM', () => process.exit(0));
