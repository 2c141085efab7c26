/**
 * MongoDB connection. Code stays inside what both MongoDB and the dev/test
 * server (FerretDB v1) support: single-document atomic writes
 * (findOneAndUpdate with upsert, $set/$inc/$push/$pull), unique indexes.
 * Not used: transactions, change streams, TTL indexes, $push with $slice
 * (FerretDB ignores $slice), projection on find-and-modify, rich aggregation.
 */
import { MongoClient, type Db } from 'mongodb';
import type { Config } from './config.js';

export type { Db, MongoClient };

/** How often the driver's connections are checked for a write stuck on a socket closed under it (see unwedgeClosedWrites). */
const UNWEDGE_EVERY_MS = 1000;

/**
 * Works around a race in the MongoDB Node driver (seen with 7.9): when a
 * connection is closed by the server (a restart) while a command on it is
 * between its last "closed?" check and its socket write (it awaits the
 * command's serialisation in between), the write goes to a destroyed socket:
 * Node returns false from `write` and never emits 'drain' or 'error', and
 * the driver waits for 'drain' with no timeout (socketTimeoutMS does not fire
 * on a destroyed socket). The command never settles. On a pool connection
 * that hangs one operation; on the server monitor's connection it hangs the
 * heartbeat — the server stays Unknown and every later operation waits for
 * server selection, forever (fault test (c): a worker answered nothing after
 * a Mongo-wire restart, its monitor 'monitoring' on a closed connection).
 *
 * Every second, each closed connection the driver still holds (the
 * monitor's, the RTT pinger's, the pool's checked-out ones) gets the 'drain'
 * it waits for: the driver then sees the connection's error and fails the
 * command as a network error, as it would have without the race. Harmless
 * when nothing waits. Uses driver internals, each guarded: a driver without
 * them is left alone.
 */
function unwedgeClosedWrites(client: MongoClient): void {
  const timer = setInterval(() => {
    const servers = (client as unknown as { topology?: { s?: { servers?: Map<string, any> } } }).topology?.s?.servers;
    for (const server of servers?.values() ?? []) {
      const held = [server?.monitor?.connection, server?.monitor?.rttPinger?.connection, ...(server?.pool?.checkedOut ?? [])];
      for (const conn of held) {
        const socket = conn?.socket as { destroyed?: boolean; emit?: (e: string) => void } | undefined;
        if (conn?.closed === true && socket?.destroyed === true && typeof socket.emit === 'function') {
          socket.emit('drain');
        }
      }
    }
  }, UNWEDGE_EVERY_MS);
  timer.unref();
  client.once('topologyClosed', () => clearInterval(timer));
}

export async function connectMongo(config: Pick<Config, 'mongoUri' | 'mongoDb'>, appName: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(config.mongoUri, { appName, serverSelectionTimeoutMS: 10_000 });
  unwedgeClosedWrites(client);
  await client.connect();
  return { client, db: client.db(config.mongoDb) };
}
