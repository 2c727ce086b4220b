/**
 * Runs one call over a route: picks the order of targets, skips open circuits and targets whose
 * context window is too small, retries retryable failures with backoff, and falls back to the
 * next target on the conditions the group names. The attempt itself (a chat, a stream opening,
 * an embedding) is passed in, so every endpoint shares this one loop.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { FenerError } from '../../core/index.js';
import type { SharedState } from '../../state/index.js';
import { countsAgainstTarget, isRetryable, noTargetError, retryDelayMs, triggerOf } from './failure.js';
import type { Route } from './route-table.js';
import { orderTargets, type Target } from './strategies.js';
import type { TargetStats } from './target-stats.js';

export interface Attempt {
  target: Target;
  /** Aborted when the client leaves or this attempt's time is up. */
  signal: AbortSignal;
}

export interface Routed<T> {
  value: T;
  target: Target;
  /** Upstream calls made, retries and fallbacks included. */
  attempts: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Prompt tokens, counted only when some target declares a context window. */
  inputTokens: () => number;
  /** Output tokens the request may produce, for the context-window check. */
  maxOutputTokens?: number;
}

export class Router {
  constructor(private readonly deps: { state: SharedState; stats: TargetStats }) {}

  async run<T>(route: Route, options: RunOptions, attempt: (attempt: Attempt) => Promise<T>): Promise<Routed<T>> {
    const reasons: string[] = [];
    let attempts = 0;
    let lastError: unknown;
    for (const target of orderTargets(route.policy.strategy, route.targets, { stats: this.deps.stats })) {
      const skip = await this.skipReason(route, target, options);
      if (skip) {
        reasons.push(`${target.model.name}: ${skip}`);
        continue;
      }
      for (let retry = 0; ; retry++) {
        throwIfAborted(options.signal);
        attempts++;
        try {
          const value = await this.once(route, target, { attempt, signal: options.signal });
          return { value, target, attempts };
        } catch (error) {
          throwIfAborted(options.signal);
          lastError = error;
          const delay =
            retry < route.policy.retries.attempts && isRetryable(error) ? retryDelayMs(error, retry, route.policy.retries) : undefined;
          if (delay !== undefined) {
            await sleep(delay, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
            continue;
          }
          if (!route.policy.fallbackOn.has(triggerOf(error))) throw error;
          reasons.push(`${target.model.name}: ${error instanceof Error ? error.message : String(error)}`);
          break;
        }
      }
    }
    if (lastError !== undefined && reasons.length === 1) throw lastError;
    throw noTargetError(route.name, reasons);
  }

  private async once<T>(
    route: Route,
    target: Target,
    call: { attempt: (attempt: Attempt) => Promise<T>; signal: AbortSignal | undefined },
  ): Promise<T> {
    const name = target.model.name;
    // One signal per attempt, linked to the client's by a listener (cheaper than AbortSignal.any).
    // The link stays for the life of the request: a stream outlives this function, and a client
    // that leaves mid-stream must still stop its upstream.
    const controller = new AbortController();
    const onClientAbort = (): void => controller.abort(call.signal?.reason);
    if (call.signal?.aborted) controller.abort(call.signal.reason);
    else call.signal?.addEventListener('abort', onClientAbort, { once: true });
    const timer =
      target.timeoutMs === undefined
        ? undefined
        : setTimeout(() => controller.abort(timeoutError(name, target.timeoutMs!)), target.timeoutMs);
    const started = performance.now();
    this.deps.stats.started(name);
    let latency: number | undefined;
    try {
      const value = await raceAbort(call.attempt({ target, signal: controller.signal }), controller.signal);
      latency = performance.now() - started;
      await this.deps.state.breakerSuccess(breakerKey(name));
      return value;
    } catch (error) {
      // Whatever this attempt still has running upstream (a stream that missed its first-token
      // limit, a request past its timeout) is abandoned: cancel it so its connection is freed.
      controller.abort(error);
      // A client that left says nothing about the target's health.
      if (!call.signal?.aborted && countsAgainstTarget(triggerOf(error))) {
        await this.deps.state.breakerFailure({
          key: breakerKey(name),
          threshold: route.policy.breaker.threshold,
          openMs: route.policy.breaker.openMs,
        });
      }
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
      this.deps.stats.finished(name, latency);
    }
  }

  private async skipReason(route: Route, target: Target, options: RunOptions): Promise<string | undefined> {
    const window = target.model.contextWindow;
    if (window !== undefined && options.inputTokens() + (options.maxOutputTokens ?? 0) > window) {
      if (route.targets.length > 1) return `context window of ${window} tokens is too small`;
      throw new FenerError(
        'context_length_exceeded',
        `This model's maximum context length is ${window} tokens; the request needs about ${options.inputTokens() + (options.maxOutputTokens ?? 0)}.`,
        { param: 'messages' },
      );
    }
    const breaker = await this.deps.state.breaker(breakerKey(target.model.name));
    if (breaker.openUntil === 0) return undefined;
    if (Date.now() < breaker.openUntil) return 'circuit open after repeated failures';
    // Half-open: one caller at a time may probe; its success closes the circuit, its failure reopens it.
    const probe = await this.deps.state.breakerTryProbe({
      key: breakerKey(target.model.name),
      probeMs: Math.min(route.policy.breaker.openMs, 10_000),
    });
    return probe ? undefined : 'circuit half-open, another call is probing it';
  }
}

function breakerKey(model: string): string {
  return `cb:${model}`;
}

function timeoutError(name: string, ms: number): FenerError {
  return new FenerError('upstream_timeout', `target "${name}" did not answer within ${ms} ms`);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('the client closed the request');
}

/** Settles with the abort reason as soon as the attempt's own timer fires, even if the adapter is slow to notice. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
