/**
 * The exact-match response cache over the shared state (memory in one process, Redis across
 * replicas). A cache is an optimisation: when the state fails, a lookup is a miss and a store
 * is skipped, reported through `onError`, and the request goes on.
 */
import type { ChatRequest, ChatResult } from '../../providers/index.js';
import type { SharedState } from '../../state/index.js';
import { responseKeyHash, type CacheKeyInput } from './cache-key.js';
import { decodeEntry, encodeEntry } from './cache-entry.js';
import type { CacheConfig } from './config.js';
import { decideCaching, type CacheDecision, type CachePolicy } from './policy.js';

export interface ResponseCacheOptions {
  state: SharedState;
  config: Pick<CacheConfig, 'enabled' | 'ttl_seconds' | 'max_ttl_seconds' | 'max_entry_bytes'>;
  /** Prefix of every key this cache writes (tests use a unique one per run). */
  keyPrefix?: string;
  /** Epoch milliseconds; replaceable so ages can be tested without waiting. */
  now?: () => number;
  onError?: (error: unknown, operation: 'lookup' | 'store') => void;
}

export interface CacheHit {
  key: string;
  /** As stored, with the original call's id and usage. */
  result: ChatResult;
  /** What the original call cost (USD): the cost this hit saved. */
  savedCostUsd: number;
  /** How long ago the answer was stored, in milliseconds. */
  ageMs: number;
}

export type StoreOutcome = 'stored' | 'skipped-finish-reason' | 'skipped-too-large' | 'skipped-ttl' | 'failed';

export interface StoreInput {
  key: string;
  result: ChatResult;
  /** The call's cost in USD (`costOf(usage, model.price)`), returned as `savedCostUsd` by later hits. */
  costUsd: number;
  ttlMs: number;
}

/** A cut or filtered answer is not one to give again: only these finishes are stored. */
const storableFinishes: ReadonlySet<ChatResult['finish_reason']> = new Set(['stop', 'tool_calls', 'length']);

export class ResponseCache {
  private readonly state: SharedState;
  private readonly config: ResponseCacheOptions['config'];
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly onError: (error: unknown, operation: 'lookup' | 'store') => void;

  constructor(options: ResponseCacheOptions) {
    this.state = options.state;
    this.config = options.config;
    this.prefix = options.keyPrefix ?? 'cache:';
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => undefined);
  }

  decide(request: ChatRequest, policy: CachePolicy): CacheDecision {
    return decideCaching(request, policy, this.config);
  }

  /** The shared-state key of a request's entry. */
  keyFor(input: CacheKeyInput): string {
    return `${this.prefix}response:${responseKeyHash(input)}`;
  }

  async lookup(key: string): Promise<CacheHit | undefined> {
    let text: string | undefined;
    try {
      text = await this.state.get(key);
    } catch (error) {
      this.onError(error, 'lookup');
      return undefined;
    }
    if (text === undefined) return undefined;
    const entry = decodeEntry(text);
    if (entry === undefined) return undefined;
    return { key, result: entry.result, savedCostUsd: entry.costUsd, ageMs: Math.max(0, this.now() - entry.storedAt) };
  }

  async store(input: StoreInput): Promise<StoreOutcome> {
    if (!storableFinishes.has(input.result.finish_reason)) return 'skipped-finish-reason';
    if (!(input.ttlMs > 0)) return 'skipped-ttl';
    const text = encodeEntry({ result: input.result, costUsd: input.costUsd, storedAt: this.now() });
    if (Buffer.byteLength(text, 'utf8') > this.config.max_entry_bytes) return 'skipped-too-large';
    try {
      await this.state.set(input.key, text, input.ttlMs);
      return 'stored';
    } catch (error) {
      this.onError(error, 'store');
      return 'failed';
    }
  }
}
