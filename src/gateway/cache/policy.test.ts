import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFenerError } from '../../core/index.js';
import type { ChatRequest } from '../../providers/index.js';
import { cacheConfigSchema } from './config.js';
import { cachePolicyFrom, decideCaching, defaultCachePolicy, type CachePolicy } from './policy.js';

const config = cacheConfigSchema.parse({ enabled: true });
const request = (fields: Partial<ChatRequest>): ChatRequest => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...fields });

describe('cache policy', () => {
  const table: {
    name: string;
    fields: Partial<ChatRequest>;
    policy: Partial<CachePolicy>;
    read: boolean;
    write: boolean;
    reason: string;
  }[] = [
    { name: 'temperature 0', fields: { temperature: 0 }, policy: {}, read: true, write: true, reason: 'deterministic' },
    { name: 'seed set, sampling', fields: { temperature: 0.8, seed: 1 }, policy: {}, read: true, write: true, reason: 'deterministic' },
    { name: 'seed 0 counts as set', fields: { seed: 0 }, policy: {}, read: true, write: true, reason: 'deterministic' },
    { name: 'default temperature', fields: {}, policy: {}, read: false, write: false, reason: 'not-deterministic' },
    { name: 'temperature 0.7', fields: { temperature: 0.7 }, policy: {}, read: false, write: false, reason: 'not-deterministic' },
    { name: 'opt-in', fields: { temperature: 0.7 }, policy: { optIn: true }, read: true, write: true, reason: 'opt-in' },
    { name: 'no-cache', fields: { temperature: 0 }, policy: { noCache: true }, read: false, write: true, reason: 'deterministic' },
    { name: 'no-cache, opt-in', fields: {}, policy: { optIn: true, noCache: true }, read: false, write: true, reason: 'opt-in' },
    { name: 'no-store', fields: { temperature: 0 }, policy: { noStore: true }, read: false, write: false, reason: 'no-store' },
    { name: 'no-store beats opt-in', fields: {}, policy: { optIn: true, noStore: true }, read: false, write: false, reason: 'no-store' },
  ];
  for (const row of table) {
    it(row.name, () => {
      const decision = decideCaching(request(row.fields), { ...defaultCachePolicy, ...row.policy }, config);
      assert.deepEqual(
        { read: decision.read, write: decision.write, reason: decision.reason },
        { read: row.read, write: row.write, reason: row.reason },
      );
    });
  }

  it('does nothing when the cache is disabled, even opted in', () => {
    const off = cacheConfigSchema.parse({});
    const decision = decideCaching(request({ temperature: 0 }), { ...defaultCachePolicy, optIn: true }, off);
    assert.deepEqual([decision.read, decision.write, decision.reason], [false, false, 'disabled']);
  });

  it('takes the TTL from config, lets a request ask for another, and caps it', () => {
    const small = cacheConfigSchema.parse({ enabled: true, ttl_seconds: 60, max_ttl_seconds: 600 });
    const deterministic = request({ temperature: 0 });
    assert.equal(decideCaching(deterministic, defaultCachePolicy, small).ttlMs, 60_000);
    assert.equal(decideCaching(deterministic, { ...defaultCachePolicy, ttlSeconds: 120 }, small).ttlMs, 120_000);
    assert.equal(decideCaching(deterministic, { ...defaultCachePolicy, ttlSeconds: 99_999 }, small).ttlMs, 600_000);
  });
});

describe('cachePolicyFrom', () => {
  it('reads Cache-Control directives, opt-in and TTL headers', () => {
    assert.deepEqual(cachePolicyFrom({ headers: {} }), defaultCachePolicy);
    assert.deepEqual(cachePolicyFrom({ headers: { 'cache-control': 'max-age=0, No-Cache' } }), { ...defaultCachePolicy, noCache: true });
    assert.deepEqual(cachePolicyFrom({ headers: { 'cache-control': ['no-store'] } }), { ...defaultCachePolicy, noStore: true });
    assert.deepEqual(cachePolicyFrom({ headers: { 'x-fener-cache': 'true', 'x-fener-cache-ttl': '30' } }), {
      ...defaultCachePolicy,
      optIn: true,
      ttlSeconds: 30,
    });
    assert.equal(cachePolicyFrom({ headers: { 'x-fener-cache': 'false' } }).optIn, false);
  });

  it('reads the opt-in from the fener body field', () => {
    assert.equal(cachePolicyFrom({ headers: {}, bodyControl: { cache: true } }).optIn, true);
    assert.equal(cachePolicyFrom({ headers: {}, bodyControl: { cache: 'yes' } }).optIn, false);
    assert.equal(cachePolicyFrom({ headers: {}, bodyControl: 'cache' }).optIn, false);
  });

  it('rejects a TTL that is not a positive whole number of seconds', () => {
    for (const ttl of ['0', '-5', '1.5', 'soon', '']) {
      assert.throws(
        () => cachePolicyFrom({ headers: { 'x-fener-cache-ttl': ttl } }),
        (error: unknown) => isFenerError(error) && error.code === 'invalid_request' && error.param === 'x-fener-cache-ttl',
        ttl,
      );
    }
  });
});

describe('cacheConfigSchema', () => {
  it('has the documented defaults', () => {
    assert.deepEqual(cacheConfigSchema.parse({}), {
      enabled: false,
      ttl_seconds: 300,
      max_ttl_seconds: 86_400,
      max_entry_bytes: 262_144,
      semantic: { enabled: false, threshold: 0.95, max_entries_per_scope: 200 },
    });
  });

  it('rejects bad settings with the field named', () => {
    const issuePath = (input: unknown): string => {
      const parsed = cacheConfigSchema.safeParse(input);
      assert.equal(parsed.success, false);
      return parsed.error?.issues[0]?.path.join('.') ?? '';
    };
    assert.equal(issuePath({ semantic: { enabled: true } }), 'semantic.embedding_model');
    assert.equal(issuePath({ ttl_seconds: 100, max_ttl_seconds: 10 }), 'ttl_seconds');
    assert.equal(issuePath({ semantic: { threshold: 1.5, embedding_model: 'e' } }), 'semantic.threshold');
    assert.equal(issuePath({ ttl_secs: 5 }), '');
  });
});
