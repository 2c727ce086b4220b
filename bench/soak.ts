/**
 * The soak: a steady mix of plain and streamed calls through Fener for minutes, with its memory
 * sampled every few seconds. Growth is judged between the first and the last minute after a
 * warm-up, once caches and pools have reached their working size (the response cache's entries
 * live `ttl` seconds, so the warm-up must be at least that long to be a fair start line).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fixedRate, mergeRounds, type HttpTarget, type LoadResult } from './load.js';
import { log } from './log.js';
import { memoryOf } from './proc-stats.js';

export interface SoakSettings {
  /** Requests per second in all; `streamShare` of them are streamed. */
  rate: number;
  streamShare: number;
  warmupSeconds: number;
  /** Measured time after the warm-up. */
  seconds: number;
  sampleSeconds: number;
}

export interface MemorySample {
  /** Seconds since the soak started. */
  at: number;
  rssBytes: number;
  heapUsedBytes: number | null;
}

export interface SoakResult {
  settings: SoakSettings;
  plain: LoadResult;
  streamed: LoadResult;
  samples: MemorySample[];
  /** Median resident memory over the first and the last minute after the warm-up. */
  firstMinuteRssBytes: number;
  lastMinuteRssBytes: number;
  /**
   * The floor of V8's used heap in each measured minute: its lowest sample, close to the live data
   * left after a collection (a median swings with where each sample falls in the collector's
   * cycle: 70 to 240 MiB within one minute was seen). Empty when /metrics did not answer.
   */
  heapFloorsBytes: number[];
  /**
   * The least-squares line through those floors, at the first and the last measured minute: a
   * leak is a trend, and one minute's floor alone still moves by ±10% (63–71 MiB in a flat run).
   */
  firstMinuteHeapBytes: number | null;
  lastMinuteHeapBytes: number | null;
  /**
   * `last / first - 1` of that line — what a leak raises; the resident set also moves with how much
   * freed memory the allocator keeps — or of the resident set without heap samples.
   */
  growth: number;
  rssGrowth: number;
  tracesDropped: number | null;
}

async function metricValue(origin: string, name: string): Promise<number | null> {
  try {
    const text = await (await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}

/** The lowest used-heap sample of each whole minute of the measured time (after the warm-up, before the end). */
function minuteFloors(samples: MemorySample[], settings: SoakSettings): number[] {
  const { warmupSeconds, seconds } = settings;
  const floors: number[] = [];
  for (const sample of samples) {
    if (sample.heapUsedBytes === null || sample.at < warmupSeconds || sample.at >= warmupSeconds + seconds) continue;
    const minute = Math.floor((sample.at - warmupSeconds) / 60);
    floors[minute] = Math.min(floors[minute] ?? Number.POSITIVE_INFINITY, sample.heapUsedBytes);
  }
  return floors.filter((floor) => Number.isFinite(floor));
}

/** Least squares through (index, value); undefined with fewer than two points. */
function fitLine(values: number[]): { at(index: number): number } | undefined {
  if (values.length < 2) return undefined;
  const n = values.length;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let covariance = 0;
  let variance = 0;
  values.forEach((value, index) => {
    covariance += (index - meanX) * (value - meanY);
    variance += (index - meanX) ** 2;
  });
  const slope = covariance / variance;
  return { at: (index) => meanY + slope * (index - meanX) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : (sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN);
}

async function sampleMemory(pid: number, origin: string, startedAt: number, until: Promise<unknown>): Promise<MemorySample[]> {
  const samples: MemorySample[] = [];
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const rss = memoryOf(pid)?.rssBytes;
    const heapUsedBytes = await metricValue(origin, 'fener_nodejs_heap_size_used_bytes');
    if (rss !== undefined) samples.push({ at: (Date.now() - startedAt) / 1000, rssBytes: rss, heapUsedBytes });
    await Promise.race([sleep(5_000), until]);
  }
  return samples;
}

export async function soak(
  fener: { pid: number; origin: string },
  targets: { plain: HttpTarget; streamed: HttpTarget },
  settings: SoakSettings,
): Promise<SoakResult> {
  const total = settings.warmupSeconds + settings.seconds;
  const streamRate = Math.max(1, Math.round(settings.rate * settings.streamShare));
  const plainRate = settings.rate - streamRate;
  log(`soak: ${plainRate} plain + ${streamRate} streamed req/s for ${total} s (the first ${settings.warmupSeconds} s are warm-up)`);
  const startedAt = Date.now();
  const load = Promise.all([
    fixedRate(targets.plain, { rate: plainRate, durationSeconds: total }),
    fixedRate(targets.streamed, { rate: streamRate, durationSeconds: total }),
  ]);
  const samples = await sampleMemory(fener.pid, fener.origin, startedAt, load);
  const [plain, streamed] = await load;
  const measured = samples.filter((sample) => sample.at >= settings.warmupSeconds);
  const first = measured.filter((sample) => sample.at < settings.warmupSeconds + 60);
  const last = measured.filter((sample) => sample.at >= total - 60);
  const firstMinuteRssBytes = median(first.map((sample) => sample.rssBytes));
  const lastMinuteRssBytes = median(last.map((sample) => sample.rssBytes));
  const heapFloorsBytes = minuteFloors(samples, settings);
  const trend = fitLine(heapFloorsBytes);
  const firstMinuteHeapBytes = trend ? trend.at(0) : null;
  const lastMinuteHeapBytes = trend ? trend.at(heapFloorsBytes.length - 1) : null;
  const rssGrowth = lastMinuteRssBytes / firstMinuteRssBytes - 1;
  return {
    settings,
    plain: mergeRounds([plain]),
    streamed: mergeRounds([streamed]),
    samples,
    firstMinuteRssBytes,
    lastMinuteRssBytes,
    heapFloorsBytes,
    firstMinuteHeapBytes,
    lastMinuteHeapBytes,
    growth: firstMinuteHeapBytes !== null && lastMinuteHeapBytes !== null ? lastMinuteHeapBytes / firstMinuteHeapBytes - 1 : rssGrowth,
    rssGrowth,
    tracesDropped: await metricValue(fener.origin, 'fener_traces_dropped_total'),
  };
}
