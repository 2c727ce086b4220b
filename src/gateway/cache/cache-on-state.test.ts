/**
 * The response and semantic caches over a real shared state. One suite, run against every
 * implementation of `SharedState`, so the cache behaves the same in one process and across replicas.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ChatMessage, ChatRequest, ChatResult } from '../../providers/index.js';
import { createMemoryState, createRedisState, type SharedState } from '../../state/index.js';
import { deletePrefix, directClient, redisUrl, uniquePrefix } from '../../../test/support/redis.js';
import { cacheConfigSchema } from './config.js';
import { ResponseCache } from './response-cache.js';
import { SemanticCache, type EmbedFunction } from './semantic-cache.js';

interface StateFixture {
  state: SharedState;
  /** Another handle on the same data: the same state in memory, another connection (a replica) on Redis. */
  peer: () => SharedState;
  /** Our cache's key prefix. */
  prefix: string;
  /** Redis only: the keys written, read straight from Redis. */
  storedKeys?: () => Promise<string[]>;
  cleanup: () => Promise<void>;
}

/**
 * A deterministic embedding: bag of words hashed into 1,024 dimensions. Real test data with a
 * known geometry — two questions sharing n of their words have cosine n / sqrt(a·b) (barring
 * bucket collisions) — rather than a stub that returns whatever a test wants.
 */
function bagOfWords(text: string): number[] {
  const vector = new Array<number>(1024).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const bucket = createHash('sha256').update(word).digest().readUInt32BE(0) % vector.length;
    vector[bucket] = (vector[bucket] ?? 0) + 1;
  }
  return vector;
}

function cosine(a: number[], b: number[]): number {
  const dot = (x: number[], y: number[]) => x.reduce((sum, value, index) => sum + value * (y[index] ?? 0), 0);
  return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
}

function recordingEmbed(): { embed: EmbedFunction; seen: string[][] } {
  const seen: string[][] = [];
  const embed: EmbedFunction = async (texts) => {
    seen.push([...texts]);
    return texts.map(bagOfWords);
  };
  return { embed, seen };
}

const system: ChatMessage = { role: 'system', content: 'You are a concise geography tutor.' };
// 12 distinct words; the paraphrase adds one (cosine 12/√156 ≈ 0.961), the loose one three (12/√180 ≈ 0.894).
const question = 'name which city serves as capital of france in western europe today';
const paraphrase = 'please name which city serves as capital of france in western europe today';
const loose = 'could you please name which city serves as capital of france in western europe today';
const unrelated = 'how many legs does a spider have';

function ask(text: string, fields: Partial<ChatRequest> = {}, prefix: ChatMessage[] = [system]): ChatRequest {
  return { model: 'tutor', messages: [...prefix, { role: 'user', content: text }], temperature: 0, ...fields };
}

function answer(content: string, fields: Partial<ChatResult> = {}): ChatResult {
  return {
    id: `chatcmpl-${randomUUID()}`,
    model: 'gpt-4o-mini',
    created: 1_700_000_000,
    message: { role: 'assistant', content },
    finish_reason: 'stop',
    usage: { input_tokens: 30, output_tokens: 5 },
    ...fields,
  };
}

function cacheSuite(name: string, open: () => Promise<StateFixture>): void {
  describe(`cache on ${name} state`, () => {
    let fixture: StateFixture | undefined;
    before(async () => {
      fixture = await open();
    });
    after(async () => {
      await fixture?.cleanup();
    });

    const opened = (): StateFixture => {
      assert.ok(fixture, 'the state fixture opened');
      return fixture;
    };
    const config = cacheConfigSchema.parse({ enabled: true, max_entry_bytes: 4096 });
    const responses = (options: { now?: () => number } = {}): ResponseCache =>
      new ResponseCache({ state: opened().state, config, keyPrefix: opened().prefix, ...options });

    responseCacheTests(opened, responses);
    semanticCacheTests(opened, responses);
  });
}

function responseCacheTests(fixture: () => StateFixture, responses: (options?: { now?: () => number }) => ResponseCache): void {
  describe('exact-match response cache', () => {
    it('stores an answer and returns it with its saved cost and age', async () => {
      let now = 1_000_000;
      const cache = responses({ now: () => now });
      const key = cache.keyFor({ request: ask(question), model: 'gpt-4o-mini', projectId: 'prj_a' });
      assert.equal(await cache.lookup(key), undefined);
      const stored = answer('Paris.');
      assert.equal(await cache.store({ key, result: stored, costUsd: 0.000123, ttlMs: 60_000 }), 'stored');
      now += 2500;
      const hit = await cache.lookup(key);
      assert.deepEqual(hit, { key, result: stored, savedCostUsd: 0.000123, ageMs: 2500 });
    });

    it('shares answers between replicas of the state', async () => {
      const request = ask(`${question} across replicas`);
      const input = { request, model: 'gpt-4o-mini', projectId: 'prj_a' };
      const writer = responses();
      const key = writer.keyFor(input);
      await writer.store({ key, result: answer('Paris.'), costUsd: 0.5, ttlMs: 60_000 });
      const reader = new ResponseCache({
        state: fixture().peer(),
        config: cacheConfigSchema.parse({ enabled: true }),
        keyPrefix: fixture().prefix,
      });
      assert.equal(reader.keyFor(input), key);
      assert.equal((await reader.lookup(key))?.savedCostUsd, 0.5);
      const storedKeys = fixture().storedKeys;
      if (storedKeys) assert.ok((await storedKeys()).includes(key), 'the entry is in Redis itself');
    });

    it('never answers another project', async () => {
      const cache = responses();
      const request = ask(`${question} for project isolation`);
      const keyA = cache.keyFor({ request, model: 'gpt-4o-mini', projectId: 'prj_a' });
      await cache.store({ key: keyA, result: answer('Paris.'), costUsd: 0, ttlMs: 60_000 });
      assert.ok(await cache.lookup(keyA));
      assert.equal(await cache.lookup(cache.keyFor({ request, model: 'gpt-4o-mini', projectId: 'prj_b' })), undefined);
    });

    it('forgets an answer when its TTL runs out', async () => {
      const cache = responses();
      const key = cache.keyFor({ request: ask(`${question} ttl`), model: 'gpt-4o-mini', projectId: 'prj_a' });
      await cache.store({ key, result: answer('Paris.'), costUsd: 0, ttlMs: 150 });
      assert.ok(await cache.lookup(key), 'present before expiry');
      await sleep(400);
      assert.equal(await cache.lookup(key), undefined, 'gone after expiry');
    });

    it('does not store answers over the size bound', async () => {
      const cache = responses();
      const key = cache.keyFor({ request: ask(`${question} size`), model: 'gpt-4o-mini', projectId: 'prj_a' });
      assert.equal(await cache.store({ key, result: answer('é'.repeat(3000)), costUsd: 0, ttlMs: 60_000 }), 'skipped-too-large');
      assert.equal(await cache.lookup(key), undefined);
      assert.equal(await cache.store({ key, result: answer('é'.repeat(1000)), costUsd: 0, ttlMs: 60_000 }), 'stored');
    });

    it('stores only finished answers (stop, tool_calls, length)', async () => {
      const cache = responses();
      const outcomes: Record<string, string> = {};
      for (const reason of ['stop', 'tool_calls', 'length', 'content_filter'] as const) {
        const key = cache.keyFor({ request: ask(`${question} finish ${reason}`), model: 'm', projectId: 'prj_a' });
        outcomes[reason] = await cache.store({ key, result: answer('x', { finish_reason: reason }), costUsd: 0, ttlMs: 60_000 });
        assert.equal((await cache.lookup(key)) !== undefined, outcomes[reason] === 'stored');
      }
      assert.deepEqual(outcomes, { stop: 'stored', tool_calls: 'stored', length: 'stored', content_filter: 'skipped-finish-reason' });
    });

    it('treats an entry it cannot parse as a miss', async () => {
      const cache = responses();
      const key = cache.keyFor({ request: ask(`${question} corrupt`), model: 'm', projectId: 'prj_a' });
      for (const junk of ['not json', '{"v":1,"result":{"id":3}}', '{"v":2}']) {
        await fixture().state.set(key, junk, 60_000);
        assert.equal(await cache.lookup(key), undefined, junk);
      }
    });

    it('turns a failing state into a miss and a skipped store, and reports it', async () => {
      const broken = failing(fixture().state, ['get', 'set']);
      const errors: string[] = [];
      const cache = new ResponseCache({
        state: broken,
        config: cacheConfigSchema.parse({ enabled: true }),
        keyPrefix: fixture().prefix,
        onError: (_error, operation) => errors.push(operation),
      });
      const key = cache.keyFor({ request: ask(question), model: 'm', projectId: 'prj_a' });
      assert.equal(await cache.lookup(key), undefined);
      assert.equal(await cache.store({ key, result: answer('x'), costUsd: 0, ttlMs: 1000 }), 'failed');
      assert.deepEqual(errors, ['lookup', 'store']);
    });
  });
}

/** The same state with some operations failing, as when Redis drops a connection. */
function failing(state: SharedState, operations: (keyof SharedState)[]): SharedState {
  return new Proxy(state, {
    get(target, property, receiver) {
      if (operations.includes(property as keyof SharedState)) return async () => Promise.reject(new Error('connection reset'));
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function semanticCacheTests(fixture: () => StateFixture, responses: () => ResponseCache): void {
  describe('semantic cache', () => {
    const model = 'gpt-4o-mini';
    const semantic = (options: { threshold?: number; max?: number; embed?: EmbedFunction } = {}): SemanticCache =>
      new SemanticCache({
        state: fixture().state,
        responses: responses(),
        embed: options.embed ?? recordingEmbed().embed,
        config: { threshold: options.threshold ?? 0.95, max_entries_per_scope: options.max ?? 200 },
        keyPrefix: fixture().prefix,
      });

    /** Answers `request` live (a miss), stores it, and records it for semantic lookups. */
    async function remember(cache: SemanticCache, request: ChatRequest, options: { projectId?: string; content?: string } = {}) {
      const input = { request, model, projectId: options.projectId ?? 'prj_a' };
      const { probe } = await cache.lookup(input);
      assert.ok(probe, 'the request takes part in the semantic cache');
      const exact = responses();
      const cacheKey = exact.keyFor(input);
      const stored = answer(options.content ?? 'Paris.');
      assert.equal(await exact.store({ key: cacheKey, result: stored, costUsd: 0.001, ttlMs: 60_000 }), 'stored');
      await cache.remember(probe, { cacheKey, ttlMs: 60_000 });
      return { stored, cacheKey };
    }

    it('answers a paraphrase above the threshold and embeds only the last user message', async () => {
      const { embed, seen } = recordingEmbed();
      const cache = semantic({ embed });
      const prefix = [system, { role: 'user', content: 'hello' } as const, { role: 'assistant', content: 'Hi!' } as const];
      const { stored, cacheKey } = await remember(cache, ask(question, {}, prefix));
      const { match } = await cache.lookup({ request: ask(paraphrase, {}, prefix), model, projectId: 'prj_a' });
      assert.ok(match, 'a paraphrase hits');
      assert.equal(match.hit.key, cacheKey);
      assert.deepEqual(match.hit.result, stored);
      assert.equal(match.hit.savedCostUsd, 0.001);
      const expected = cosine(bagOfWords(question), bagOfWords(paraphrase));
      assert.ok(expected > 0.95 && Math.abs(match.similarity - expected) < 1e-5, `similarity ${match.similarity}, expected ${expected}`);
      assert.deepEqual(seen, [[question], [paraphrase]]);
    });

    it('misses below the threshold, and a lower threshold lets the same question in', async () => {
      const prefix = [{ role: 'system', content: 'threshold test' } as const];
      await remember(semantic(), ask(question, {}, prefix));
      const looser = { request: ask(loose, {}, prefix), model, projectId: 'prj_a' };
      const similarity = cosine(bagOfWords(question), bagOfWords(loose));
      assert.ok(similarity > 0.85 && similarity < 0.95, `the test data sits between the thresholds: ${similarity}`);
      assert.equal((await semantic().lookup(looser)).match, undefined, 'below 0.95');
      assert.ok((await semantic({ threshold: 0.85 }).lookup(looser)).match, 'above 0.85');
      assert.equal((await semantic({ threshold: 0.5 }).lookup({ ...looser, request: ask(unrelated, {}, prefix) })).match, undefined);
    });

    it('never answers across conversation prefixes, tool sets, parameters or projects', async () => {
      const prefix = [{ role: 'system', content: 'scope test' } as const];
      await remember(semantic(), ask(question, {}, prefix));
      const cache = semantic();
      const lookup = async (request: ChatRequest, projectId = 'prj_a') => (await cache.lookup({ request, model, projectId })).match;
      assert.ok(await lookup(ask(question, {}, prefix)), 'same scope, same question');
      assert.equal(await lookup(ask(question, {}, [{ role: 'system', content: 'another conversation' }])), undefined);
      assert.equal(
        await lookup(ask(question, {}, [...prefix, { role: 'user', content: 'x' }, { role: 'assistant', content: 'y' }])),
        undefined,
      );
      assert.equal(await lookup(ask(question, { tools: [{ type: 'function', function: { name: 'atlas' } }] }, prefix)), undefined);
      assert.equal(await lookup(ask(question, { response_format: { type: 'json_object' } }, prefix)), undefined);
      assert.equal(await lookup(ask(question, { max_tokens: 3 }, prefix)), undefined);
      assert.equal(await lookup(ask(question, {}, prefix), 'prj_b'), undefined);
    });

    it('leaves agent traffic alone: a tool result as last message is never embedded', async () => {
      const { embed, seen } = recordingEmbed();
      const request: ChatRequest = {
        ...ask(question),
        messages: [
          ...ask(question).messages,
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'atlas', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: '{"capital":"Paris"}' },
        ],
      };
      assert.deepEqual(await semantic({ embed }).lookup({ request, model, projectId: 'prj_a' }), {});
      assert.deepEqual(seen, []);
    });

    it('keeps at most max_entries_per_scope questions per scope, dropping the oldest', async () => {
      const prefix = [{ role: 'system', content: `bound test ${randomUUID()}` } as const];
      const cache = semantic({ max: 3 });
      const topics = ['volcanoes erupt', 'glaciers move', 'rivers meander', 'deserts form', 'tides rise'];
      for (const topic of topics)
        await remember(cache, ask(`explain in detail why ${topic} on planet earth`, {}, prefix), { content: topic });
      const found = async (topic: string) =>
        (await cache.lookup({ request: ask(`explain in detail why ${topic} on planet earth`, {}, prefix), model, projectId: 'prj_a' }))
          .match?.hit.result.message.content;
      assert.equal(await found('tides rise'), 'tides rise');
      assert.equal(await found('rivers meander'), 'rivers meander');
      assert.equal(await found('volcanoes erupt'), undefined, 'the oldest entry was dropped');
    });

    it('skips a match whose exact entry has expired', async () => {
      const prefix = [{ role: 'system', content: 'expiry test' } as const];
      const cache = semantic();
      const input = { request: ask(question, {}, prefix), model, projectId: 'prj_a' };
      const { probe } = await cache.lookup(input);
      assert.ok(probe);
      const cacheKey = responses().keyFor(input);
      await responses().store({ key: cacheKey, result: answer('Paris.'), costUsd: 0, ttlMs: 100 });
      await cache.remember(probe, { cacheKey, ttlMs: 60_000 });
      assert.ok((await cache.lookup({ ...input, request: ask(paraphrase, {}, prefix) })).match);
      await sleep(300);
      assert.equal((await cache.lookup({ ...input, request: ask(paraphrase, {}, prefix) })).match, undefined);
    });

    it('treats a failing embedding model as no semantic cache for that request', async () => {
      const errors: string[] = [];
      const cache = new SemanticCache({
        state: fixture().state,
        responses: responses(),
        embed: async () => Promise.reject(new Error('embedding model unavailable')),
        config: { threshold: 0.95, max_entries_per_scope: 10 },
        keyPrefix: fixture().prefix,
        onError: (_error, operation) => errors.push(operation),
      });
      assert.deepEqual(await cache.lookup({ request: ask(question), model, projectId: 'prj_a' }), {});
      assert.deepEqual(errors, ['embed']);
    });
  });
}

function memoryFixture(): Promise<StateFixture> {
  const state = createMemoryState();
  return Promise.resolve({ state, peer: () => state, prefix: 'cache:', cleanup: () => state.close() });
}

/** Fails (never skips) when Redis is down, and checks afterwards that no state fell back to memory. */
async function redisFixture(): Promise<StateFixture> {
  const client = await directClient();
  const prefix = uniquePrefix('cache');
  const open = () => createRedisState(redisUrl, { keyPrefix: prefix, opTimeoutMs: 2000 });
  const opened = [open()];
  return {
    state: opened[0]!,
    peer: () => {
      const state = open();
      opened.push(state);
      return state;
    },
    prefix: 'cache:',
    storedKeys: async () => (await client.keys(`${prefix}*`)).map((key) => key.slice(prefix.length)),
    cleanup: async () => {
      try {
        for (const state of opened) assert.equal(state.degraded, false, 'the Redis state fell back to memory: is Redis up?');
      } finally {
        await Promise.all(opened.map((state) => state.close()));
        await deletePrefix(prefix);
        client.disconnect();
      }
    },
  };
}

cacheSuite('memory', memoryFixture);
cacheSuite('redis', redisFixture);
