/**
 * When a request may be answered from the cache and when its answer may be stored.
 *
 * The rule: a request is cacheable when it is deterministic — `temperature` is exactly 0, or a
 * `seed` is set (the caller asked for a reproducible answer) — or when the caller opts in with
 * `x-fener-cache: true` or `"fener": {"cache": true}`. A sampled request (no temperature, which
 * providers default to 1, and no seed) is not cached unless opted in: a client that samples
 * twice expects two answers. `Cache-Control: no-cache` skips the read but still stores the
 * fresh answer; `no-store` does neither.
 */
import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import type { ChatRequest } from '../../providers/index.js';
import type { CacheConfig } from './config.js';

export interface CachePolicy {
  /** The caller asked for caching even though the request samples. */
  optIn: boolean;
  /** Do not answer from the cache, but store the new answer (`Cache-Control: no-cache`). */
  noCache: boolean;
  /** Neither read nor store (`Cache-Control: no-store`). */
  noStore: boolean;
  /** Requested time to live, cut down to `max_ttl_seconds` (`x-fener-cache-ttl`). */
  ttlSeconds?: number;
}

export type CacheDecisionReason = 'disabled' | 'no-store' | 'not-deterministic' | 'deterministic' | 'opt-in';

export interface CacheDecision {
  read: boolean;
  write: boolean;
  /** Time to live for a stored answer, in milliseconds. */
  ttlMs: number;
  reason: CacheDecisionReason;
}

export const defaultCachePolicy: CachePolicy = { optIn: false, noCache: false, noStore: false };

export function isDeterministic(request: ChatRequest): boolean {
  return request.temperature === 0 || request.seed !== undefined;
}

type CacheSettings = Pick<CacheConfig, 'enabled' | 'ttl_seconds' | 'max_ttl_seconds'>;

export function decideCaching(request: ChatRequest, policy: CachePolicy, config: CacheSettings): CacheDecision {
  const ttlSeconds = Math.min(policy.ttlSeconds ?? config.ttl_seconds, config.max_ttl_seconds);
  const ttlMs = ttlSeconds * 1000;
  const no = (reason: CacheDecisionReason): CacheDecision => ({ read: false, write: false, ttlMs, reason });
  if (!config.enabled) return no('disabled');
  if (policy.noStore) return no('no-store');
  const reason = isDeterministic(request) ? 'deterministic' : policy.optIn ? 'opt-in' : undefined;
  if (reason === undefined) return no('not-deterministic');
  return { read: !policy.noCache, write: ttlMs > 0, ttlMs, reason };
}

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Node lower-cases header names; repeated headers arrive as arrays and are read as one list. */
function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(',');
}

const bodyControlSchema = z.object({ cache: z.boolean().optional() }).loose();

/**
 * Reads the cache policy from a request's headers and its `fener` body field (OpenAI clients
 * can send extra body fields more easily than extra headers).
 * @example cachePolicyFrom({ headers: { 'cache-control': 'no-cache' }, bodyControl: { cache: true } })
 */
export function cachePolicyFrom(input: { headers: HeaderBag; bodyControl?: unknown }): CachePolicy {
  const directives = (header(input.headers, 'cache-control') ?? '').split(',').map((part) => part.trim().toLowerCase());
  // Most calls carry no `fener` field: a failed parse builds an error, which is not free.
  const body = input.bodyControl === undefined ? undefined : bodyControlSchema.safeParse(input.bodyControl);
  const optHeader = header(input.headers, 'x-fener-cache')?.trim().toLowerCase();
  const policy: CachePolicy = {
    optIn: optHeader === 'true' || optHeader === '1' || (body?.success === true && body.data.cache === true),
    noCache: directives.includes('no-cache'),
    noStore: directives.includes('no-store'),
  };
  const ttl = header(input.headers, 'x-fener-cache-ttl');
  if (ttl !== undefined) policy.ttlSeconds = parseTtl(ttl);
  return policy;
}

function parseTtl(text: string): number {
  const trimmed = text.trim();
  const seconds = /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new FenerError('invalid_request', `x-fener-cache-ttl must be a positive whole number of seconds, not \`${text}\`.`, {
      param: 'x-fener-cache-ttl',
    });
  }
  return seconds;
}
