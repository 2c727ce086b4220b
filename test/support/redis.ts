/**
 * The real Redis this machine provides (`FENER_TEST_REDIS_URL`, default redis://127.0.0.1:6379),
 * with a key prefix per test run so runs never see each other's keys. When Redis is down the
 * tests fail: the shared state would quietly fall back to memory and prove nothing.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const redisUrl = process.env.FENER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other run uses, e.g. `fener-test:state:3f9a…:`. */
export function uniquePrefix(label: string): string {
  return `fener-test:${label}:${randomBytes(6).toString('hex')}:`;
}

/** A plain client for checking what the state wrote; throws at once when Redis is down. */
export async function directClient(): Promise<Redis> {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(`the test Redis at ${redisUrl} is not answering: ${String(error)}`);
  }
  return client;
}

/** Deletes every key under the prefix. */
export async function deletePrefix(prefix: string): Promise<void> {
  const client = await directClient();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
