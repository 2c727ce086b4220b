/**
 * Many streams at once: `count` streamed chat completions opened together against one target, each
 * read to its end. A stream "stalls" when it does not complete (no `data: [DONE]`, an error event,
 * a failed request) or when the gap between two of its chunks exceeds `stallMs`. The upstream
 * paces its tokens (see the caller), so the gaps a healthy gateway adds are small.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { summarize, type LatencySummary } from './latency-stats.js';

export interface StreamsSettings {
  count: number;
  /** A chunk gap above this counts as a stall. */
  stallMs: number;
  /** Gives up on a stream after this long. */
  timeoutMs: number;
}

export interface StreamsResult {
  count: number;
  completed: number;
  failed: number;
  /** Streams with at least one gap between chunks above `stallMs`. */
  stalled: number;
  /** From the first request sent to the last stream finished. */
  wallMs: number;
  ttfb: LatencySummary;
  total: LatencySummary;
  /** Each stream's largest gap between two chunks. */
  maxGap: LatencySummary;
  /** The first few failures, as text. */
  failures: string[];
}

interface StreamOutcome {
  ok: boolean;
  ttfbMs: number;
  totalMs: number;
  maxGapMs: number;
  failure?: string;
}

async function readStream(
  dispatcher: Agent,
  url: URL,
  init: { headers: Record<string, string>; body: string },
  timeoutMs: number,
): Promise<StreamOutcome> {
  const started = performance.now();
  let firstAt: number | undefined;
  let lastAt = started;
  let maxGapMs = 0;
  let tail = '';
  try {
    const response = await request(url, {
      method: 'POST',
      headers: init.headers,
      body: init.body,
      dispatcher,
      signal: AbortSignal.timeout(timeoutMs),
    });
    for await (const chunk of response.body) {
      const now = performance.now();
      if (firstAt === undefined) firstAt = now;
      else maxGapMs = Math.max(maxGapMs, now - lastAt);
      lastAt = now;
      // Only the end matters (`[DONE]`, or an error event just before it): keep a short tail.
      tail = (tail + (chunk as Buffer).toString('utf8')).slice(-2_000);
    }
    const endedAt = performance.now();
    const failure =
      response.statusCode !== 200
        ? `HTTP ${response.statusCode}: ${tail.slice(0, 200)}`
        : !tail.includes('data: [DONE]')
          ? `no [DONE]: …${tail.slice(-200)}`
          : /"error"\s*:/.test(tail)
            ? `error event: …${tail.slice(-200)}`
            : undefined;
    return {
      ok: failure === undefined,
      ttfbMs: (firstAt ?? endedAt) - started,
      totalMs: endedAt - started,
      maxGapMs,
      ...(failure === undefined ? {} : { failure }),
    };
  } catch (error) {
    const endedAt = performance.now();
    return {
      ok: false,
      ttfbMs: endedAt - started,
      totalMs: endedAt - started,
      maxGapMs,
      failure: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Opens `count` streams together against `url` and waits for all of them. */
export async function concurrentStreams(
  target: { url: string; headers: Record<string, string>; body: string },
  settings: StreamsSettings,
): Promise<StreamsResult> {
  const dispatcher = new Agent({ connections: settings.count + 10, pipelining: 1, keepAliveTimeout: 10_000 });
  const url = new URL(target.url);
  const runId = Date.now().toString(36);
  const started = performance.now();
  try {
    const outcomes = await Promise.all(
      // Each stream its own question (`[<id>]`), or later ones would be answered from the response cache.
      Array.from({ length: settings.count }, (_, index) =>
        readStream(
          dispatcher,
          url,
          { headers: target.headers, body: target.body.replace('[<id>]', `${runId}-${index}`) },
          settings.timeoutMs,
        ),
      ),
    );
    const wallMs = performance.now() - started;
    const completed = outcomes.filter((outcome) => outcome.ok);
    return {
      count: settings.count,
      completed: completed.length,
      failed: outcomes.length - completed.length,
      stalled: outcomes.filter((outcome) => !outcome.ok || outcome.maxGapMs > settings.stallMs).length,
      wallMs,
      ttfb: summarize(completed.map((outcome) => outcome.ttfbMs)),
      total: summarize(completed.map((outcome) => outcome.totalMs)),
      maxGap: summarize(completed.map((outcome) => outcome.maxGapMs)),
      failures: [...new Set(outcomes.flatMap((outcome) => (outcome.failure ? [outcome.failure] : [])))].slice(0, 5),
    };
  } finally {
    await dispatcher.close();
  }
}
