/**
 * The gateway's listen: exclusive, so a taken port is an error at start-up.
 */
import type { TemplatedApp, us_listen_socket } from '@trufflesuite/uws-js-unofficial';
import type { Uws } from './nativeUws.js';

/** uSockets' LIBUS_LISTEN_EXCLUSIVE_PORT: bind without SO_REUSEPORT. */
const LISTEN_EXCLUSIVE_PORT = 1;

export class ListenError extends Error {
  override readonly name = 'ListenError';
  readonly code = 'LISTEN_FAILED';
}

/**
 * Listens on `host:port` exclusively. uWS's default listen sets SO_REUSEPORT,
 * so a second process on a taken port would start without a word and the
 * kernel would split new connections between the two; exclusively, the bind
 * fails and this rejects with a ListenError naming the address. Port 0 picks
 * a free port. Resolves with the listen socket and the bound port.
 */
export function listenExclusive(uws: Uws, app: TemplatedApp, host: string, port: number): Promise<{ token: us_listen_socket; port: number }> {
  // The native listen takes (host, port, options, callback); the shipped typings omit that overload.
  const listen = app.listen as unknown as (host: string, port: number, options: number, cb: (token: us_listen_socket | false) => void) => TemplatedApp;
  return new Promise((resolve, reject) => {
    listen.call(app, host, port, LISTEN_EXCLUSIVE_PORT, (token) => {
      if (!token) {
        reject(new ListenError(`gateway could not listen on ${host}:${port}: the port is already in use (another gateway or \`npm start\`?) or the address is not available here. Stop the other process or choose another SY_PORT (0 picks a free one).`));
        return;
      }
      resolve({ token, port: uws.us_socket_local_port(token) });
    });
  });
}
