/** The report of `npm run bench:traffic`: markdown on stdout, with the targets of issue #4 as PASS/FAIL lines. */
import type { LoadResult } from './load.js';
import type { Check } from './report.js';
import type { SoakResult } from './soak.js';
import type { ControlsResult, StreamsPhaseResult, SweepPoint, WorkersResult } from './traffic-phases.js';

export interface TrafficResults {
  meta: { date: string; node: string; cpus: number; commit: string; quick: boolean; redis: boolean };
  controls?: ControlsResult;
  sweep?: SweepPoint[];
  streams?: StreamsPhaseResult;
  workers?: WorkersResult;
  soak?: SoakResult;
}

const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : 'n/a');
const count = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
const mib = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : 'n/a');
const failed = (run: LoadResult): number => run.errors + run.non2xx;

function controlChecks(controls: ControlsResult): Check[] {
  const { proxy, fener } = controls.maxThroughput;
  const ratio = fener.requestsPerSecond / proxy.requestsPerSecond;
  const direct = controls.atRate.direct.latency.p99;
  const proxyAdded = controls.atRate.proxy.latency.p99 - direct;
  const fenerAdded = controls.atRate.fener.latency.p99 - direct;
  // A proxy that adds (almost) nothing would make any ratio meaningless: allow at least 1 ms.
  const allowed = 1.5 * Math.max(proxyAdded, 1);
  return [
    {
      pass: ratio >= 0.6,
      text: `with limits, budget and cache on, Fener max throughput >= 0.6x the proxy's: ${count(fener.requestsPerSecond)} vs ${count(proxy.requestsPerSecond)} req/s (${ratio.toFixed(2)}x)`,
    },
    {
      pass: fenerAdded <= allowed,
      text: `added p99 at ${controls.rate} req/s <= 1.5x the proxy's: Fener +${ms(fenerAdded)} ms vs proxy +${ms(proxyAdded)} ms (limit ${ms(allowed)} ms)`,
    },
  ];
}

export function trafficChecks(results: TrafficResults): Check[] {
  const list: Check[] = [];
  if (results.controls) list.push(...controlChecks(results.controls));
  if (results.workers) {
    const { one, two, ratio } = results.workers;
    list.push({
      pass: ratio >= 1.6,
      text: `--workers 2 >= 1.6x one worker: ${count(two.requestsPerSecond)} vs ${count(one.requestsPerSecond)} req/s (${ratio.toFixed(2)}x)`,
    });
  }
  if (results.streams) {
    const { fener } = results.streams.byTarget;
    list.push({
      pass: fener.completed === fener.count && fener.stalled === 0,
      text: `${fener.count} concurrent streams through Fener with no stall: ${fener.completed} complete, ${fener.stalled} stalled (gap > ${results.streams.stallMs} ms or incomplete)`,
    });
  }
  if (results.soak) {
    const { growth, rssGrowth, firstMinuteRssBytes, lastMinuteRssBytes, firstMinuteHeapBytes, lastMinuteHeapBytes, settings } =
      results.soak;
    const rss = `resident set ${mib(firstMinuteRssBytes)} -> ${mib(lastMinuteRssBytes)} (${percent(rssGrowth)})`;
    const heap =
      firstMinuteHeapBytes === null || lastMinuteHeapBytes === null
        ? 'used heap n/a (judged on the resident set)'
        : `used heap's floor (trend over every minute) ${mib(firstMinuteHeapBytes)} -> ${mib(lastMinuteHeapBytes)} (${percent(growth)})`;
    list.push({ pass: growth < 0.1, text: `memory growth under 10% over a ${settings.seconds} s soak: ${heap}; ${rss}` });
  }
  return list;
}

const percent = (ratio: number): string => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)}%`;

function loadRow(label: string, run: LoadResult): string {
  return `| ${label} | ${count(run.requestsPerSecond)} | ${ms(run.latency.p50)} | ${ms(run.latency.p99)} | ${failed(run)} |`;
}

function controlsSection(controls: ControlsResult): string[] {
  const { maxThroughput: max, atRate, rate } = controls;
  return [
    '## Limits, budget and cache on (every call a cache miss that is then stored)',
    '',
    '| target | max req/s (50 connections) | p50 ms | p99 ms | failed |',
    '| --- | ---: | ---: | ---: | ---: |',
    loadRow('direct to mock', max.direct),
    loadRow('minimal proxy', max.proxy),
    loadRow('Fener', max.fener),
    '',
    `| at ${rate} req/s | achieved req/s | p50 ms | p99 ms | failed | added p50 | added p99 |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...(['direct', 'proxy', 'fener'] as const).map((name) => {
      const run = atRate[name];
      const p50 = run.latency.p50 - atRate.direct.latency.p50;
      const p99 = run.latency.p99 - atRate.direct.latency.p99;
      return `| ${name} | ${count(run.requestsPerSecond)} | ${ms(run.latency.p50)} | ${ms(run.latency.p99)} | ${failed(run)} | ${ms(p50)} | ${ms(p99)} |`;
    }),
    '',
  ];
}

function sweepSection(points: SweepPoint[]): string[] {
  return [
    '## Concurrency sweep (maximum throughput at each number of connections)',
    '',
    '| connections | proxy req/s | proxy p99 ms | Fener req/s | Fener p99 ms | Fener/proxy | failed (proxy / Fener) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...points.map(({ connections, byTarget: { proxy, fener } }) => {
      const ratio = (fener.requestsPerSecond / proxy.requestsPerSecond).toFixed(2);
      return `| ${connections} | ${count(proxy.requestsPerSecond)} | ${ms(proxy.latency.p99)} | ${count(fener.requestsPerSecond)} | ${ms(fener.latency.p99)} | ${ratio}x | ${failed(proxy)} / ${failed(fener)} |`;
    }),
    '',
  ];
}

function streamsSection(streams: StreamsPhaseResult): string[] {
  const { upstream } = streams;
  return [
    `## ${streams.count} concurrent streams (upstream: first token after ${upstream.ttftMs} ms, ${upstream.tokens} tokens at ${upstream.tokensPerSecond}/s)`,
    '',
    '| target | complete | stalled | wall ms | TTFB p50 / p99 ms | total p50 / p99 ms | largest chunk gap p50 / p99 / max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...(['proxy', 'fener'] as const).map((name) => {
      const run = streams.byTarget[name];
      return `| ${name} | ${run.completed}/${run.count} | ${run.stalled} | ${count(run.wallMs)} | ${ms(run.ttfb.p50)} / ${ms(run.ttfb.p99)} | ${ms(run.total.p50)} / ${ms(run.total.p99)} | ${ms(run.maxGap.p50)} / ${ms(run.maxGap.p99)} / ${ms(run.maxGap.max)} |`;
    }),
    '',
  ];
}

function soakSection(soak: SoakResult): string[] {
  const step = Math.max(1, Math.floor(soak.samples.length / 12));
  const shown = soak.samples.filter((_, index) => index % step === 0 || index === soak.samples.length - 1);
  return [
    `## Soak: ${soak.settings.rate} req/s (${Math.round(soak.settings.streamShare * 100)}% streamed) for ${soak.settings.warmupSeconds} s warm-up + ${soak.settings.seconds} s`,
    '',
    '| calls | req/s | p50 ms | p99 ms | failed |',
    '| --- | ---: | ---: | ---: | ---: |',
    loadRow('plain', soak.plain),
    loadRow('streamed', soak.streamed),
    '',
    `Traces dropped: ${soak.tracesDropped ?? 'n/a'}. Memory over time (Fener's resident set, and V8's used heap):`,
    '',
    '| second | RSS | heap used |',
    '| ---: | ---: | ---: |',
    ...shown.map(
      (sample) =>
        `| ${Math.round(sample.at)} | ${mib(sample.rssBytes)} | ${sample.heapUsedBytes === null ? 'n/a' : mib(sample.heapUsedBytes)} |`,
    ),
    '',
  ];
}

export function renderTraffic(results: TrafficResults): string {
  const { meta } = results;
  const lines = [
    `# bench:traffic — ${meta.date}`,
    '',
    `Node ${meta.node}, ${meta.cpus} CPUs, commit ${meta.commit}${meta.quick ? ', QUICK run (short: do not quote)' : ''}${meta.redis ? ', shared state in Redis' : ', shared state in memory'}.`,
    '',
  ];
  if (results.controls) lines.push(...controlsSection(results.controls));
  if (results.sweep) lines.push(...sweepSection(results.sweep));
  if (results.streams) lines.push(...streamsSection(results.streams));
  if (results.workers) {
    const { one, two, connections } = results.workers;
    lines.push(
      `## One worker against two (${connections} connections, limits, budget and cache on)`,
      '',
      '| Fener | req/s | p50 ms | p99 ms | failed |',
      '| --- | ---: | ---: | ---: | ---: |',
      loadRow('--workers 1', one),
      loadRow('--workers 2', two),
      '',
    );
  }
  if (results.soak) lines.push(...soakSection(results.soak));
  lines.push('## Targets (issue #4)', '', ...trafficChecks(results).map((check) => `- ${check.pass ? 'PASS' : 'FAIL'}: ${check.text}`), '');
  return lines.join('\n');
}
