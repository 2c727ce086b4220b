/**
 * Names that are not models: `prompt:support-reply@production` renders a managed prompt,
 * `deployment:support-bot` applies a deployment's prompt, model and parameters. The modules that
 * own those objects sit above the gateway, so they plug in here as resolvers: the gateway asks
 * each in turn and routes whatever request comes back.
 */
import type { Principal } from '../identity/index.js';
import type { ChatRequest } from '../providers/index.js';

export interface ResolverInput {
  request: ChatRequest;
  principal: Principal;
  /** The body's `fener` field (e.g. `{"variables": {...}}`), already taken out of the request. */
  controls: Record<string, unknown> | undefined;
  /** A stable key for sticky choices (canary splits): the end user, else the session, else the key. */
  stickiness: string;
}

export interface ResolvedRequest {
  /** The request to route: rendered messages, parameters applied, `model` a model or group name. */
  request: ChatRequest;
  /** Added to the trace's metadata under `fener`, e.g. `{prompt: {name, version, label}}`. */
  traceMetadata: Record<string, unknown>;
  /**
   * Models to fall back to, in order, when `request.model` fails: routed as one group with the
   * default group policy (the same retries, fallback conditions and circuits as a configured group).
   */
  fallbacks?: string[];
  /** The route's name for metrics and the cache when there are fallbacks (e.g. `deployment:bot`). */
  routeName?: string;
}

export interface RequestResolver {
  /** The prefix of the names it owns, e.g. `prompt:`. */
  readonly prefix: string;
  /** Throws a `FenerError` (404 unknown, 400 bad variables) for a name with its prefix it cannot serve. */
  resolve(input: ResolverInput): Promise<ResolvedRequest>;
}
