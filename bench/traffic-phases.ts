/**
 * The phases of `npm run bench:traffic`, each against the same mock upstream and the minimal proxy
 * measured in the same run: Fener with limits, budgets and the cache on (throughput and latency at
 * a fixed rate), a concurrency sweep, 1,000 streams at once, and one worker against two.
 */
import { performance } from 'node:perf_hooks';
import { fixedRate, maxThroughput, mergeRounds, type HttpTarget, type LoadResult } from './load.js';
import { log } from './log.js';
import { maxThroughputPhase, takeTurns, type MeasureSettings } from './measure.js';
import type { ByTarget, TargetName } from './report.js';
import type { Stack } from './stack.js';
import { concurrentStreams, type StreamsResult } from './streams.js';
import { startFener, type FenerOptions, type Launch } from './targets.js';

/** Limits and a budget far above what the benchmark sends (so every check runs and none refuses), and the cache on. */
export const controlledFener: Omit<FenerOptions, 'launch' | 'upstream'> = {
  extraYaml: ['cache:', '  enabled: true', '  ttl_seconds: 60', ''].join('\n'),
  key: { limits: { rpm: 100_000_000, tpm: 10_000_000_000 }, budget: { usd: 1_000_000, period: 'day' } },
};

/**
 * `temperature: 0` makes every call cacheable, and `[<id>]` (replaced per request by the load
 * generator) makes each one new: every call pays for a cache lookup, a miss and a store.
 */
export const uniqueChatBody = {
  model: 'bench',
  messages: [{ role: 'user', content: 'Question [<id>]: how are you today?' }],
  max_tokens: 16,
  temperature: 0,
};

export function chatTargets(stack: Stack, body: object, uniqueIds: boolean): ByTarget<HttpTarget> {
  const headers = { authorization: `Bearer ${stack.fener.key}`, 'content-type': 'application/json' };
  const text = JSON.stringify(body);
  const at = (origin: string): HttpTarget => ({ url: `${origin}/v1/chat/completions`, headers, body: text, uniqueIds });
  return { direct: at(stack.mock.url), proxy: at(stack.proxy.url), fener: at(stack.fener.url) };
}

export interface ControlsResult {
  maxThroughput: ByTarget<LoadResult>;
  rate: number;
  atRate: ByTarget<LoadResult>;
}

export async function controlsPhase(stack: Stack, settings: MeasureSettings, rate: number): Promise<ControlsResult> {
  const targets = chatTargets(stack, uniqueChatBody, true);
  const max = await maxThroughputPhase(stack, targets, settings);
  log(`fixed rate ${rate} req/s: ${settings.rounds} round(s) of ${settings.rateSeconds} s each`);
  const atRate = await takeTurns(stack, settings.rounds, (name) =>
    fixedRate(targets[name], { rate, durationSeconds: settings.rateSeconds }),
  );
  return { maxThroughput: max, rate, atRate };
}

export interface SweepPoint {
  connections: number;
  byTarget: ByTarget<LoadResult>;
}

/** Maximum throughput and latency at each number of concurrent connections, about `seconds` per target and step. */
export async function sweepPhase(stack: Stack, steps: number[], seconds: number): Promise<SweepPoint[]> {
  const targets = chatTargets(stack, uniqueChatBody, true);
  const lastRate: ByTarget<number> = { direct: 3_000, proxy: 3_000, fener: 1_000 };
  const points: SweepPoint[] = [];
  for (const connections of steps) {
    log(`sweep: ${connections} connection(s)`);
    const byTarget = await takeTurns(stack, 1, async (name: TargetName) => {
      const requests = Math.max(connections * 10, Math.round(lastRate[name] * seconds));
      const round = await maxThroughput(targets[name], { connections, requests });
      lastRate[name] = Math.max(50, round.requestsPerSecond);
      return round;
    });
    points.push({ connections, byTarget });
  }
  return points;
}

export interface StreamsPhaseResult {
  count: number;
  upstream: { ttftMs: number; tokensPerSecond: number; tokens: number };
  stallMs: number;
  byTarget: Pick<ByTarget<StreamsResult>, 'proxy' | 'fener'>;
}

async function configureMock(stack: Stack, options: object): Promise<void> {
  const response = await fetch(`${stack.mock.url}/_mock/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(options),
  });
  if (!response.ok) throw new Error(`configuring the mock provider failed: ${response.status} ${await response.text()}`);
}

/** `count` streams opened together, through the proxy and then through Fener, from a paced upstream. */
export async function streamsPhase(stack: Stack, count: number): Promise<StreamsPhaseResult> {
  const upstream = { ttftMs: 100, tokensPerSecond: 50, tokens: 32 };
  const stallMs = 1_000;
  await configureMock(stack, { ttftMs: upstream.ttftMs, tokensPerSecond: upstream.tokensPerSecond });
  try {
    const body = { ...uniqueChatBody, max_tokens: upstream.tokens, stream: true, stream_options: { include_usage: true } };
    const targets = chatTargets(stack, body, false);
    const settings = { count, stallMs, timeoutMs: 60_000 };
    const run = async (name: 'proxy' | 'fener'): Promise<StreamsResult> => {
      log(`${count} concurrent streams through ${name}`);
      const result = await concurrentStreams(targets[name], settings);
      log(
        `  ${name}: ${result.completed}/${result.count} complete, ${result.stalled} stalled, wall ${Math.round(result.wallMs)} ms, max gap p99 ${result.maxGap.p99.toFixed(1)} ms`,
      );
      for (const failure of result.failures) log(`  ${name} failure: ${failure}`);
      return result;
    };
    const proxy = await run('proxy');
    const fener = await run('fener');
    return { count, upstream, stallMs, byTarget: { proxy, fener } };
  } finally {
    await configureMock(stack, { ttftMs: 0, tokensPerSecond: 0 });
  }
}

export interface WorkersResult {
  connections: number;
  one: LoadResult;
  two: LoadResult;
  ratio: number;
}

/** `fener serve` with one worker and with two, same configuration and upstream, taking turns round by round. */
export async function workersPhase(launch: Launch, upstream: string, settings: MeasureSettings): Promise<WorkersResult> {
  const connections = settings.connections;
  const started = await Promise.all([
    startFener({ ...controlledFener, launch, upstream, name: 'fener (1 worker)' }),
    startFener({ ...controlledFener, launch, upstream, workers: 2, name: 'fener (2 workers)' }),
  ]);
  const [one, two] = started;
  try {
    const target = (url: string, key: string): HttpTarget => ({
      url: `${url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(uniqueChatBody),
      uniqueIds: true,
    });
    const targets = [target(one.url, one.key), target(two.url, two.key)] as const;
    const rounds: LoadResult[][] = [[], []];
    const lastRate = [1_000, 1_000];
    for (let round = 0; round < settings.rounds + 1; round++) {
      for (const index of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const begun = performance.now();
        const requests = Math.max(connections * 20, Math.round((lastRate[index] ?? 1_000) * settings.maxSeconds));
        const result = await maxThroughput(targets[index] as HttpTarget, { connections, requests });
        lastRate[index] = result.requestsPerSecond;
        // The first round of each is a warm-up (JIT, pools, the cache's first entries).
        if (round > 0) rounds[index]?.push(mergeRounds([result]));
        log(
          `  ${index === 0 ? '1 worker ' : '2 workers'}: ${Math.round(result.requestsPerSecond)} req/s (${Math.round(performance.now() - begun)} ms)`,
        );
      }
    }
    const pick = (results: LoadResult[]): LoadResult => {
      const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
      return sorted[Math.floor((sorted.length - 1) / 2)] as LoadResult;
    };
    const oneResult = pick(rounds[0] ?? []);
    const twoResult = pick(rounds[1] ?? []);
    return { connections, one: oneResult, two: twoResult, ratio: twoResult.requestsPerSecond / oneResult.requestsPerSecond };
  } finally {
    await Promise.all(started.map((fener) => fener.stop()));
  }
}
