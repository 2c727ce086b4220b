/**
 * The opt-in semantic cache: a question phrased differently from an earlier one gets the earlier
 * answer when their embeddings are close enough. Entries are kept per scope (see
 * `semanticScopeHash`): only the last user message is compared, and only against questions asked
 * after the same conversation prefix, with the same tools and parameters, in the same project —
 * so an agent's tool loop or another conversation can never be answered from here.
 */
import { z } from 'zod';
import type { SharedState } from '../../state/index.js';
import { lastUserText, semanticScopeHash, type CacheKeyInput } from './cache-key.js';
import type { SemanticCacheConfig } from './config.js';
import type { CacheHit, ResponseCache } from './response-cache.js';
import { cosineOfUnit, normalise, packVector, unpackVector } from './vector.js';

/** Embeds texts with the configured embedding model, one vector per text, in order. */
export type EmbedFunction = (texts: string[]) => Promise<number[][]>;

export interface SemanticCacheOptions {
  state: SharedState;
  /** Where matched entries are read: a match names an exact-cache key. */
  responses: ResponseCache;
  embed: EmbedFunction;
  config: Pick<SemanticCacheConfig, 'threshold' | 'max_entries_per_scope'>;
  keyPrefix?: string;
  onError?: (error: unknown, operation: 'embed' | 'lookup' | 'remember') => void;
}

/** A request's place in the semantic cache, computed once (one embedding call) per request. */
export interface SemanticProbe {
  scopeKey: string;
  vector: Float32Array;
}

export interface SemanticMatch {
  hit: CacheHit;
  similarity: number;
}

export interface SemanticLookup {
  /** Absent when the request cannot take part (last message not a text user message, embedding failed). */
  probe?: SemanticProbe;
  match?: SemanticMatch;
}

const listEntrySchema = z.object({ k: z.string(), v: z.string() });

/** Candidates above the threshold whose exact entries are tried, best first (older ones may have expired). */
const candidatesTried = 3;

export class SemanticCache {
  private readonly prefix: string;
  private readonly onError: NonNullable<SemanticCacheOptions['onError']>;

  constructor(private readonly options: SemanticCacheOptions) {
    this.prefix = options.keyPrefix ?? 'cache:';
    this.onError = options.onError ?? (() => undefined);
  }

  /** `probe` then `find`: for a request that may read. One that may only write (`no-cache`) calls `probe` alone. */
  async lookup(input: CacheKeyInput): Promise<SemanticLookup> {
    const probe = await this.probe(input);
    if (probe === undefined) return {};
    const match = await this.find(probe);
    return match === undefined ? { probe } : { probe, match };
  }

  /** Records a stored answer under the probe's question, so later paraphrases can find it. */
  async remember(probe: SemanticProbe, entry: { cacheKey: string; ttlMs: number }): Promise<void> {
    const value = JSON.stringify({ k: entry.cacheKey, v: packVector(probe.vector) });
    try {
      await this.options.state.listPush(probe.scopeKey, value, { max: this.options.config.max_entries_per_scope, ttlMs: entry.ttlMs });
    } catch (error) {
      this.onError(error, 'remember');
    }
  }

  /**
   * Embeds the request's last user message (one embedding call). Undefined when the request
   * cannot take part: its last message is not a user's text, or the embedding failed.
   */
  async probe(input: CacheKeyInput): Promise<SemanticProbe | undefined> {
    const text = lastUserText(input.request.messages);
    if (text === undefined || text.trim() === '') return undefined;
    let vectors: number[][];
    try {
      vectors = await this.options.embed([text]);
    } catch (error) {
      this.onError(error, 'embed');
      return undefined;
    }
    const vector = vectors[0] === undefined ? undefined : normalise(vectors[0]);
    if (vector === undefined) return undefined;
    return { scopeKey: `${this.prefix}semantic:${semanticScopeHash(input)}`, vector };
  }

  /** The best stored answer in the probe's scope at or above the threshold, if any is still stored. */
  async find(probe: SemanticProbe): Promise<SemanticMatch | undefined> {
    let stored: string[];
    try {
      stored = await this.options.state.listRange(probe.scopeKey);
    } catch (error) {
      this.onError(error, 'lookup');
      return undefined;
    }
    const candidates = this.rank(probe.vector, stored);
    for (const candidate of candidates.slice(0, candidatesTried)) {
      const hit = await this.options.responses.lookup(candidate.cacheKey);
      if (hit !== undefined) return { hit, similarity: candidate.similarity };
    }
    return undefined;
  }

  /** Stored questions at or above the threshold, most similar first, one per exact entry. */
  private rank(vector: Float32Array, stored: readonly string[]): { cacheKey: string; similarity: number }[] {
    const best = new Map<string, number>();
    for (const text of stored) {
      const entry = parseListEntry(text);
      const other = entry === undefined ? undefined : unpackVector(entry.v);
      if (entry === undefined || other === undefined) continue;
      const similarity = cosineOfUnit(vector, other);
      if (similarity >= this.options.config.threshold && similarity > (best.get(entry.k) ?? Number.NEGATIVE_INFINITY)) {
        best.set(entry.k, similarity);
      }
    }
    return [...best].map(([cacheKey, similarity]) => ({ cacheKey, similarity })).sort((a, b) => b.similarity - a.similarity);
  }
}

function parseListEntry(text: string): z.output<typeof listEntrySchema> | undefined {
  try {
    const parsed = listEntrySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
