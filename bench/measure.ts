/**
 * The measurements, in one run against the same upstream: warm-up, maximum throughput, latency at
 * fixed rates, and streamed time to first byte. The targets take turns round by round (and the
 * order rotates), so that a noisy stretch on a shared machine does not fall on one target alone.
 */
import { cpus } from 'node:os';
import { log } from './log.js';
import { fixedRate, maxThroughput, mergeRounds, type HttpTarget, type LoadResult, type Round } from './load.js';
import { cpuMillis, startCpuMeter, waitForQuiet } from './proc-stats.js';
import { targetNames, type BenchResults, type ByTarget, type TargetName } from './report.js';
import type { Stack } from './stack.js';
import { measureTtfb, type StreamTarget, type TtfbResult } from './ttfb.js';

export interface MeasureSettings {
  connections: number;
  rates: number[];
  rounds: number;
  /** Requests per target before anything is measured (also sizes the first round). */
  warmupRequests: number;
  /** Per round, roughly: a round is sized in requests from the target's last measured rate. */
  maxSeconds: number;
  /** Per round; the first and the last second of each are ramp-up and ramp-down, not recorded. */
  rateSeconds: number;
  ttfbSamples: number;
  ttfbWarmup: number;
}

export type Measured = Pick<BenchResults, 'maxThroughput' | 'fixedRates' | 'ttfb' | 'background'>;

export const chatBody = { model: 'bench', messages: [{ role: 'user', content: 'Hello there, how are you?' }], max_tokens: 16 };

function httpTargets(stack: Stack): ByTarget<HttpTarget> {
  // The same headers everywhere (the mock and the proxy ignore the key), so every target reads the same bytes.
  const headers = { authorization: `Bearer ${stack.fener.key}`, 'content-type': 'application/json' };
  const body = JSON.stringify(chatBody);
  const at = (origin: string): HttpTarget => ({ url: `${origin}/v1/chat/completions`, headers, body });
  return { direct: at(stack.mock.url), proxy: at(stack.proxy.url), fener: at(stack.fener.url) };
}

/** One request to each target first: a benchmark of error responses would measure nothing. */
async function checkTargets(targets: ByTarget<HttpTarget>): Promise<void> {
  for (const name of targetNames) {
    const target = targets[name];
    const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
    const text = await response.text();
    if (response.status !== 200 || !text.includes('"choices"'))
      throw new Error(`${name}: expected a chat completion, got ${response.status} ${text}`);
  }
}

function describe(name: TargetName, round: Round): string {
  const { latency, cpuMicrosPerRequest, otherStatuses, errors, timeouts } = mergeRounds([round]);
  const cpu = cpuMicrosPerRequest === null ? '' : `, ${Math.round(cpuMicrosPerRequest)} µs CPU/request`;
  const failures = Object.entries(otherStatuses).map(([status, count]) => `${count}× HTTP ${status}`);
  if (errors > 0) failures.push(`${errors} errors (${timeouts} timeouts)`);
  const failed = failures.length > 0 ? ` — ${failures.join(', ')}` : '';
  return `  ${name}: ${Math.round(round.requestsPerSecond)} req/s, p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms${cpu}${failed}`;
}

/** `rounds` rounds; in each, every target once, after the processes have gone quiet. */
export async function takeTurns(stack: Stack, rounds: number, run: (name: TargetName) => Promise<Round>): Promise<ByTarget<LoadResult>> {
  const collected: ByTarget<Round[]> = { direct: [], proxy: [], fener: [] };
  // The process that answers each target's requests: the upstream itself, the proxy, Fener.
  const serving: ByTarget<number> = { direct: stack.mock.child.pid, proxy: stack.proxy.child.pid, fener: stack.fener.child.pid };
  for (let index = 0; index < rounds; index++) {
    const order = targetNames.map((_, position) => targetNames[(position + index) % targetNames.length] as TargetName);
    for (const name of order) {
      const background = await waitForQuiet(stack.pids());
      if (background !== undefined && background > 0.25)
        log(`  (the machine stays busy: ${Math.round(background * 100)}% used by other processes)`);
      const cpuBefore = cpuMillis(serving[name]);
      const round = await run(name);
      const cpuAfter = cpuMillis(serving[name]);
      if (cpuBefore !== undefined && cpuAfter !== undefined) round.targetCpuMillis = cpuAfter - cpuBefore;
      collected[name].push(round);
      log(describe(name, round));
    }
  }
  return { direct: mergeRounds(collected.direct), proxy: mergeRounds(collected.proxy), fener: mergeRounds(collected.fener) };
}

/** Runs one phase and notes how much of the machine other processes used meanwhile. */
async function phase<T>(stack: Stack, background: Measured['background'], label: string, run: () => Promise<T>): Promise<T> {
  const meter = startCpuMeter(stack.pids(), cpus().length);
  const result = await run();
  background.push({ phase: label, share: meter.backgroundShare() ?? null });
  return result;
}

async function streamedTtfb(stack: Stack, targets: ByTarget<HttpTarget>, settings: MeasureSettings): Promise<ByTarget<TtfbResult>> {
  await waitForQuiet(stack.pids());
  const streams: StreamTarget[] = targetNames.map((name) => ({
    name,
    origin: new URL(targets[name].url).origin,
    path: '/v1/chat/completions',
    headers: targets[name].headers,
    body: JSON.stringify({ ...chatBody, stream: true }),
  }));
  const results = await measureTtfb(streams, { samples: settings.ttfbSamples, warmup: settings.ttfbWarmup });
  const of = (name: TargetName): TtfbResult => {
    const result = results.get(name);
    if (!result) throw new Error(`no TTFB result for ${name}`);
    return result;
  };
  return { direct: of('direct'), proxy: of('proxy'), fener: of('fener') };
}

/** Maximum throughput: each round sends about `maxSeconds` worth of requests at the target's last measured rate. */
export async function maxThroughputPhase(
  stack: Stack,
  targets: ByTarget<HttpTarget>,
  settings: MeasureSettings,
): Promise<ByTarget<LoadResult>> {
  const { connections } = settings;
  const { warmupRequests } = settings;
  log(`warm-up: ${connections} connections, ${warmupRequests} requests each`);
  const lastRate: ByTarget<number> = { direct: 0, proxy: 0, fener: 0 };
  const remember = (name: TargetName, round: Round): Round => ((lastRate[name] = round.requestsPerSecond), round);
  await takeTurns(stack, 1, async (name) => remember(name, await maxThroughput(targets[name], { connections, requests: warmupRequests })));
  log(`maximum throughput: ${connections} connections, ${settings.rounds} round(s) of about ${settings.maxSeconds} s each`);
  return takeTurns(stack, settings.rounds, async (name) => {
    const requests = Math.max(connections * 20, Math.round(lastRate[name] * settings.maxSeconds));
    return remember(name, await maxThroughput(targets[name], { connections, requests }));
  });
}

export async function measure(stack: Stack, settings: MeasureSettings): Promise<Measured> {
  const targets = httpTargets(stack);
  await checkTargets(targets);
  const background: Measured['background'] = [];
  const maxThroughputResults = await phase(stack, background, 'maximum throughput', () => maxThroughputPhase(stack, targets, settings));
  const fixedRates: Measured['fixedRates'] = [];
  for (const rate of settings.rates) {
    log(`fixed rate ${rate} req/s: ${settings.rounds} round(s) of ${settings.rateSeconds} s each`);
    const byTarget = await phase(stack, background, `${rate} req/s`, () =>
      takeTurns(stack, settings.rounds, (name) => fixedRate(targets[name], { rate, durationSeconds: settings.rateSeconds })),
    );
    fixedRates.push({ rate, byTarget });
  }
  log(`streamed time to first byte: ${settings.ttfbSamples} samples each, targets taking turns`);
  const ttfb = await phase(stack, background, 'stream TTFB', () => streamedTtfb(stack, targets, settings));
  return { maxThroughput: maxThroughputResults, fixedRates, ttfb, background };
}
