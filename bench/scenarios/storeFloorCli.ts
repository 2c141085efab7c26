/** The store floor on its own: `tsx bench/scenarios/storeFloorCli.ts <mongoUri> [options]` prints storeFloor.ts's figures as JSON. */
import { measureStoreFloor, type StoreFloorOptions } from './storeFloor.js';

const [uri, ...rest] = process.argv.slice(2);
if (!uri) {
  console.error('usage: tsx bench/scenarios/storeFloorCli.ts <mongoUri> [--seconds N] [--documents N] [--database NAME] [--server-pid PID]…');
  process.exit(2);
}
const options: StoreFloorOptions = { serverPids: [] };
for (let i = 0; i < rest.length; i += 2) {
  const [flag, value] = [rest[i], rest[i + 1]];
  if (flag === '--seconds') options.seconds = Number(value);
  else if (flag === '--documents') options.documents = Number(value);
  else if (flag === '--database') options.database = value;
  else if (flag === '--server-pid') options.serverPids!.push(Number(value));
  else { console.error(`storeFloor: unknown option ${flag}`); process.exit(2); }
}
console.log(JSON.stringify(await measureStoreFloor(uri, options), null, 2));
