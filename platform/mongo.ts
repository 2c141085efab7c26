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

export async function connectMongo(config: Pick<Config, 'mongoUri' | 'mongoDb'>, appName: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(config.mongoUri, { appName, serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  return { client, db: client.db(config.mongoDb) };
}
