/**
 * Load generation with autocannon, used programmatically. Three things autocannon does on its own
 * would blur the sub-millisecond differences this benchmark is about, so they are worked around:
 *
 * - Its latency histogram keeps whole milliseconds, and with a rate set it adds synthetic samples
 *   for "coordinated omission" at a 1 ms expected interval. Every response time is therefore
 *   recorded here from its `response` event, with hrtime precision, and summarised exactly.
 * - Building that histogram takes ~10 ms of blocking CPU per instance (a 5-digit HDR histogram in
 *   WebAssembly), which would stall the load generator itself while instances start. Instances
 *   therefore get inert histograms, the way autocannon's own worker threads do.
 * - With `overallRate`, each connection sends its whole share for the second back to back as soon
 *   as the second starts, then idles: 500 requests/s over 10 connections is a burst of 500 every
 *   second, not one request every 2 ms. A fixed rate is therefore run as many small autocannon
 *   instances of one connection each, started at evenly spread offsets within the second, so the
 *   target sees short trains of `trainLength` requests spread over the second.
 */
import autocannon, { type Client, type CustomHistogram, type Options, type Result } from 'autocannon';
import { setTimeout as sleep } from 'node:timers/promises';
import { summarize, type LatencySummary } from './latency-stats.js';

export interface HttpTarget {
  /** Full URL of the chat completions endpoint. */
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Every request gets its own `[<id>]` in the body (so that, say, no two are the same cache key). */
  uniqueIds?: boolean;
}

/** One measurement of one target. */
export interface Round {
  /** Successful (2xx) responses per second. */
  requestsPerSecond: number;
  responses: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Responses that were not 2xx, by HTTP status. */
  otherStatuses: Record<string, number>;
  durationSeconds: number;
  /** Milliseconds, of the 2xx responses recorded (see `Recorder`). */
  latencies: number[];
  /** CPU time the target's own process used during the round (set by the caller, from /proc). */
  targetCpuMillis?: number;
}

/** Several rounds of one target taken together. */
export interface LoadResult {
  /** The median round's rate. */
  requestsPerSecond: number;
  /** Every round's rate, in order: their spread shows how noisy the machine was. */
  roundRates: number[];
  responses: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  otherStatuses: Record<string, number>;
  durationSeconds: number;
  /** Over the samples of all rounds pooled. */
  latency: LatencySummary;
  /** Each round's own p50 and p99: one disturbed round shows up here, not only in the pooled p99. */
  roundLatencies: { p50: number; p99: number }[];
  /** CPU time of the target's own process (the mock, the proxy, Fener) per 2xx response; null without /proc. */
  cpuMicrosPerRequest: number | null;
  /** That process's CPU use over the rounds, as a share of one core (1 = a whole core). */
  cpuCores: number | null;
}

function addStatuses(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [status, count] of Object.entries(from)) into[status] = (into[status] ?? 0) + count;
  return into;
}

export function mergeRounds(rounds: Round[]): LoadResult {
  const sum = (pick: (round: Round) => number): number => rounds.reduce((total, round) => total + pick(round), 0);
  const rates = rounds.map((round) => round.requestsPerSecond);
  const sorted = [...rates].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(middle)] : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
  return {
    requestsPerSecond: median ?? NaN,
    roundRates: rates,
    responses: sum((round) => round.responses),
    errors: sum((round) => round.errors),
    timeouts: sum((round) => round.timeouts),
    non2xx: sum((round) => round.non2xx),
    otherStatuses: rounds.reduce((all, round) => addStatuses(all, round.otherStatuses), {}),
    durationSeconds: sum((round) => round.durationSeconds),
    latency: summarize(rounds.flatMap((round) => round.latencies)),
    roundLatencies: rounds.map((round) => {
      const { p50, p99 } = summarize(round.latencies);
      return { p50, p99 };
    }),
    ...cpuUse(rounds),
  };
}

function cpuUse(rounds: Round[]): Pick<LoadResult, 'cpuMicrosPerRequest' | 'cpuCores'> {
  if (rounds.some((round) => round.targetCpuMillis === undefined)) return { cpuMicrosPerRequest: null, cpuCores: null };
  const cpuMillis = rounds.reduce((total, round) => total + (round.targetCpuMillis ?? 0), 0);
  const responses = rounds.reduce((total, round) => total + round.responses, 0);
  const seconds = rounds.reduce((total, round) => total + round.durationSeconds, 0);
  return { cpuMicrosPerRequest: (cpuMillis * 1000) / responses, cpuCores: cpuMillis / (seconds * 1000) };
}

/**
 * What one round records while `open`: the time of every 2xx response but each connection's first
 * (which also paid for connecting), and when the window opened and saw its last response.
 */
class Recorder {
  readonly latencies: number[] = [];
  #open = false;
  #openedAt = 0;
  #lastAt = 0;

  open(): void {
    this.#open = true;
    this.#openedAt = performance.now();
    this.#lastAt = this.#openedAt;
  }

  close(): void {
    this.#open = false;
  }

  record(responseTimeMs: number): void {
    if (!this.#open) return;
    this.latencies.push(responseTimeMs);
    this.#lastAt = performance.now();
  }

  /** Seconds from opening to the last response recorded. */
  get seconds(): number {
    return (this.#lastAt - this.#openedAt) / 1000;
  }
}

function inertHistogram(): CustomHistogram {
  const nothing = (): void => undefined;
  return { __custom: true, recordValue: nothing, recordValueWithExpectedInterval: nothing, reset: nothing, destroy: nothing };
}

function runAutocannon(options: Options, recorder: Recorder): Promise<Result> {
  return new Promise((resolve, reject) => {
    const seen = new WeakSet<Client>();
    const histograms = { latencies: inertHistogram(), requests: inertHistogram(), throughput: inertHistogram() };
    const instance = autocannon({ ...options, skipAggregateResult: true, histograms }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
    instance.on('response', (client, statusCode, _bytes, responseTimeMs) => {
      if (!seen.has(client)) return void seen.add(client);
      if (statusCode >= 200 && statusCode < 300) recorder.record(responseTimeMs);
    });
  });
}

/**
 * A round is a number of requests, not a duration: when a duration ends, autocannon drops its
 * connections with requests in flight, and the gateway would see (and log, and trace) cancelled
 * calls that the workload never asked for.
 */
function baseOptions(target: HttpTarget, requests: number): Options {
  const { url, headers, body } = target;
  return { url, method: 'POST', headers, body, amount: requests, timeout: 10, ...(target.uniqueIds ? { idReplacement: true } : {}) };
}

function otherStatuses(result: Result): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) if (!status.startsWith('2')) counts[status] = count;
  return counts;
}

function combine(results: Result[], recorder: Recorder): Round {
  const sum = (pick: (result: Result) => number): number => results.reduce((total, result) => total + pick(result), 0);
  return {
    requestsPerSecond: recorder.latencies.length / recorder.seconds,
    responses: sum((result) => result['2xx']),
    errors: sum((result) => result.errors),
    timeouts: sum((result) => result.timeouts),
    non2xx: sum((result) => result.non2xx),
    otherStatuses: results.reduce((all, result) => addStatuses(all, otherStatuses(result)), {}),
    durationSeconds: recorder.seconds,
    latencies: recorder.latencies,
  };
}

/** `requests` requests over `connections` closed-loop connections, as fast as they are answered. */
export async function maxThroughput(target: HttpTarget, options: { connections: number; requests: number }): Promise<Round> {
  const recorder = new Recorder();
  recorder.open();
  const result = await runAutocannon({ ...baseOptions(target, options.requests), connections: options.connections }, recorder);
  return combine([result], recorder);
}

const trainLength = 5;

/**
 * `rate` requests per second for about `durationSeconds`, spread over each second as described at
 * the top of this file. Responses are recorded from when every instance has started (after the
 * first second) until the first one is done, so none come from the ramp-up or the ramp-down;
 * `durationSeconds` must be at least 3.
 */
export async function fixedRate(target: HttpTarget, options: { rate: number; durationSeconds: number }): Promise<Round> {
  const instances = Math.max(1, Math.ceil(options.rate / trainLength));
  const recorder = new Recorder();
  const runs: Promise<Result>[] = [];
  const started = performance.now();
  for (let index = 0; index < instances; index++) {
    // Sleep to each instance's own offset rather than a fixed step, so that timer lateness does not add up.
    await sleep(Math.max(0, started + (index * 1000) / instances - performance.now()));
    const share = Math.floor(options.rate / instances) + (index < options.rate % instances ? 1 : 0);
    const instance = { ...baseOptions(target, share * options.durationSeconds), connections: 1, overallRate: share };
    runs.push(runAutocannon(instance, recorder));
  }
  recorder.open();
  void Promise.race(runs).then(
    () => recorder.close(),
    () => undefined,
  );
  return combine(await Promise.all(runs), recorder);
}
