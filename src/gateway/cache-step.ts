/**
 * The gateway's use of the response cache: look a request up (exactly, then semantically) before
 * routing it, and remember a fresh answer after. Lookups never fail a call: a cache in trouble
 * is a miss.
 */
import type { ChatRequest, ChatResult } from '../providers/index.js';
import {
  defaultCachePolicy,
  type CacheDecision,
  type CacheHit,
  type CachePolicy,
  type ResponseCache,
  type SemanticCache,
  type SemanticProbe,
} from './cache/index.js';

export interface CacheLookup {
  hit?: CacheHit & { kind: 'exact' | 'semantic' };
  key?: string;
  decision?: CacheDecision;
  probe?: SemanticProbe;
}

const none: CacheLookup = {};

export class CacheStep {
  constructor(
    private readonly responses: ResponseCache | undefined,
    private readonly semantic: SemanticCache | undefined,
  ) {}

  /** `routeName` keys the answer: for a group, all its targets share one cached answer. */
  async lookup(input: { request: ChatRequest; routeName: string; projectId: string; policy?: CachePolicy }): Promise<CacheLookup> {
    if (!this.responses) return none;
    const decision = this.responses.decide(input.request, input.policy ?? defaultCachePolicy);
    if (!decision.read && !decision.write) return none;
    const keyInput = { request: input.request, model: input.routeName, projectId: input.projectId };
    const key = this.responses.keyFor(keyInput);
    if (decision.read) {
      const exact = await this.responses.lookup(key);
      if (exact) return { hit: { ...exact, kind: 'exact' }, key, decision };
    }
    if (!this.semantic) return { key, decision };
    const probe = await this.semantic.probe(keyInput);
    if (!probe) return { key, decision };
    const match = decision.read ? await this.semantic.find(probe) : undefined;
    if (match) return { hit: { ...match.hit, kind: 'semantic' }, key, decision, probe };
    return { key, decision, probe };
  }

  /** Stores a fresh answer in the background (the client does not wait for it). */
  remember(lookup: CacheLookup, result: ChatResult, costUsd: number): void {
    const { key, decision, probe } = lookup;
    if (!this.responses || !key || !decision?.write) return;
    const semantic = this.semantic;
    void this.responses.store({ key, result, costUsd, ttlMs: decision.ttlMs }).then((outcome) => {
      if (outcome === 'stored' && probe && semantic) return semantic.remember(probe, { cacheKey: key, ttlMs: decision.ttlMs });
      return undefined;
    });
  }
}
