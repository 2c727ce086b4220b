/**
 * The benchmark's output: the markdown tables printed to stdout and the same numbers as JSON in
 * `bench/results/`, plus the checks against the targets of issue #3 (PASS/FAIL, informative only:
 * a benchmark on a shared machine is not a test).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LatencySummary } from './latency-stats.js';
import type { LoadResult } from './load.js';
import type { TtfbResult } from './ttfb.js';

export const targetNames = ['direct', 'proxy', 'fener'] as const;
export type TargetName = (typeof targetNames)[number];
export type ByTarget<T> = Record<TargetName, T>;

const labels: ByTarget<string> = { direct: 'direct to mock', proxy: 'minimal proxy', fener: 'Fener' };

export interface MemoryReading {
  /** Resident set size before the first request, after start-up. */
  beforeBytes: number | undefined;
  afterBytes: number | undefined;
  /** Highest resident set size of the process's life (Linux `VmHWM`). */
  peakBytes: number | undefined;
  source: string;
}

export interface BenchResults {
  meta: {
    date: string;
    node: string;
    cpus: number;
    cpuModel: string;
    commit: string;
    fenerLaunch: string;
    quick: boolean;
    settings: { connections: number; rounds: number; maxSeconds: number; rateSeconds: number; ttfbSamples: number };
  };
  maxThroughput: ByTarget<LoadResult>;
  fixedRates: { rate: number; byTarget: ByTarget<LoadResult> }[];
  ttfb: ByTarget<TtfbResult>;
  memory: { fener: MemoryReading; proxy: MemoryReading };
  /** Share of the machine's CPU (all cores) that other processes used during each phase; null where /proc is missing. */
  background: { phase: string; share: number | null }[];
}

export interface Check {
  pass: boolean;
  text: string;
}

const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : 'n/a');
const signedMs = (value: number): string => (value >= 0 ? `+${ms(value)}` : ms(value));
const count = (value: number): string => Math.round(value).toLocaleString('en-US');
const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
const mib = (bytes: number | undefined): string => (bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

const micros = (value: number | null): string => (value === null ? 'n/a' : `${Math.round(value)}`);
const cores = (value: number | null): string => (value === null ? 'n/a' : value.toFixed(2));

/** Failed requests (connection errors and timeouts, non-2xx answers), with the statuses seen. */
function failures(run: LoadResult): string {
  const total = run.errors + run.non2xx;
  const statuses = Object.entries(run.otherStatuses).map(([status, times]) => `HTTP ${status}: ${times}`);
  if (run.errors > 0) statuses.push(`errors: ${run.errors}`);
  return statuses.length === 0 ? String(total) : `${total} (${statuses.join(', ')})`;
}

function added(target: LatencySummary, direct: LatencySummary): { p50: number; p99: number } {
  return { p50: target.p50 - direct.p50, p99: target.p99 - direct.p99 };
}

export function checks(results: BenchResults): Check[] {
  const list: Check[] = [];
  const { proxy, fener } = results.maxThroughput;
  const ratio = fener.requestsPerSecond / proxy.requestsPerSecond;
  list.push({
    pass: ratio >= 0.6,
    text: `Fener max throughput >= 0.6x the minimal proxy's: ${count(fener.requestsPerSecond)} vs ${count(proxy.requestsPerSecond)} req/s (${ratio.toFixed(2)}x)`,
  });
  for (const { rate, byTarget } of results.fixedRates) {
    const proxyAdded = added(byTarget.proxy.latency, byTarget.direct.latency);
    const fenerAdded = added(byTarget.fener.latency, byTarget.direct.latency);
    const p50Gap = fenerAdded.p50 - proxyAdded.p50;
    list.push({
      pass: p50Gap <= 0.3,
      text: `${rate} req/s: Fener added p50 within 0.3 ms of the proxy's: ${signedMs(fenerAdded.p50)} vs ${signedMs(proxyAdded.p50)} ms (gap ${signedMs(p50Gap)} ms)`,
    });
    list.push({
      pass: fenerAdded.p99 <= 1.5 * proxyAdded.p99,
      text: `${rate} req/s: Fener added p99 <= 1.5x the proxy's: ${signedMs(fenerAdded.p99)} vs ${signedMs(proxyAdded.p99)} ms (limit ${ms(1.5 * proxyAdded.p99)} ms)`,
    });
  }
  const ttfbAdded = added(results.ttfb.fener.ttfb, results.ttfb.direct.ttfb);
  list.push({
    pass: ttfbAdded.p50 < 2,
    text: `Fener added stream TTFB p50 < 2 ms: ${signedMs(ttfbAdded.p50)} ms (p99 ${signedMs(ttfbAdded.p99)} ms)`,
  });
  return list;
}

function maxThroughputTable(results: BenchResults): string[] {
  const { connections, maxSeconds, rounds } = results.meta.settings;
  const proxyRate = results.maxThroughput.proxy.requestsPerSecond;
  const lines = [
    `### Maximum throughput (non-streamed chat, ${connections} connections, ${plural(rounds, 'round')} of about ${maxSeconds} s; median round)`,
    '',
    '| target | requests/s | vs minimal proxy | each round | p50 ms | p99 ms | CPU µs/request | CPU cores | failed |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const name of targetNames) {
    const run = results.maxThroughput[name];
    const versus = name === 'direct' ? '' : `${(run.requestsPerSecond / proxyRate).toFixed(2)}x`;
    const each = run.roundRates.map(count).join(' · ');
    lines.push(
      `| ${labels[name]} | ${count(run.requestsPerSecond)} | ${versus} | ${each} | ${ms(run.latency.p50)} | ${ms(run.latency.p99)} | ${micros(run.cpuMicrosPerRequest)} | ${cores(run.cpuCores)} | ${failures(run)} |`,
    );
  }
  lines.push(
    '',
    'CPU: of the process that answers (the mock when direct, else the proxy or Fener; not the mock behind them), read from /proc.',
  );
  return lines;
}

function fixedRateTable(results: BenchResults): string[] {
  const lines = [
    `### Latency at fixed rates (non-streamed chat, ${plural(results.meta.settings.rounds, 'round')} of ${results.meta.settings.rateSeconds} s, the first and last second of each not recorded; added = target minus direct)`,
    '',
    '| rate | target | achieved req/s | p50 ms | p99 ms | added p50 ms | added p99 ms | p99 of each round ms | CPU µs/request | failed |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { rate, byTarget } of results.fixedRates) {
    for (const name of targetNames) {
      const run = byTarget[name];
      const extra = added(run.latency, byTarget.direct.latency);
      const addedCells = name === 'direct' ? '| | ' : `| ${signedMs(extra.p50)} | ${signedMs(extra.p99)} `;
      lines.push(
        `| ${rate} | ${labels[name]} | ${count(run.requestsPerSecond)} | ${ms(run.latency.p50)} | ${ms(run.latency.p99)} ${addedCells}| ${run.roundLatencies.map((round) => ms(round.p99)).join(' · ')} | ${micros(run.cpuMicrosPerRequest)} | ${failures(run)} |`,
      );
    }
  }
  return lines;
}

function ttfbTable(results: BenchResults): string[] {
  const lines = [
    `### Streamed time to first byte (\`stream: true\`, one request at a time, ${results.meta.settings.ttfbSamples} samples each)`,
    '',
    '| target | TTFB p50 ms | TTFB p99 ms | added p50 ms | added p99 ms | whole stream p50 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const name of targetNames) {
    const { ttfb, total, errors } = results.ttfb[name];
    const extra = added(ttfb, results.ttfb.direct.ttfb);
    const addedCells = name === 'direct' ? '| | |' : `| ${signedMs(extra.p50)} | ${signedMs(extra.p99)} |`;
    lines.push(`| ${labels[name]} | ${ms(ttfb.p50)} | ${ms(ttfb.p99)} ${addedCells} ${ms(total.p50)} | ${errors} |`);
  }
  return lines;
}

function memoryTable(results: BenchResults): string[] {
  const row = (label: string, reading: MemoryReading): string =>
    `| ${label} | ${mib(reading.beforeBytes)} | ${mib(reading.afterBytes)} | ${mib(reading.peakBytes)} | ${reading.source} |`;
  return [
    '### Memory (resident set size)',
    '',
    '| process | before load | after load | peak | read from |',
    '| --- | ---: | ---: | ---: | --- |',
    row('Fener', results.memory.fener),
    row('minimal proxy', results.memory.proxy),
  ];
}

/** The steadiest figure on a busy machine: what one request costs the gateway's own process. */
function cpuLine(results: BenchResults): string {
  const { proxy, fener } = results.maxThroughput;
  if (proxy.cpuMicrosPerRequest === null || fener.cpuMicrosPerRequest === null) return 'INFO  CPU per request: n/a (no /proc)';
  const ratio = fener.cpuMicrosPerRequest / proxy.cpuMicrosPerRequest;
  return `INFO  CPU per request at maximum throughput: Fener ${micros(fener.cpuMicrosPerRequest)} µs, minimal proxy ${micros(proxy.cpuMicrosPerRequest)} µs (${ratio.toFixed(1)}x)`;
}

function backgroundLine(results: BenchResults): string {
  const phases = results.background.map(({ phase, share }) => `${phase} ${share === null ? 'n/a' : `${Math.round(share * 100)}%`}`);
  return `Other processes on the machine used this share of its CPUs meanwhile (noise): ${phases.join(', ')}.`;
}

export function renderMarkdown(results: BenchResults): string {
  const { meta } = results;
  return [
    `## Gateway benchmark: ${meta.date}`,
    '',
    `Node ${meta.node}, ${meta.cpus} CPUs (${meta.cpuModel}), commit ${meta.commit}, Fener ${meta.fenerLaunch}${meta.quick ? ', --quick' : ''}.`,
    '',
    ...maxThroughputTable(results),
    '',
    ...fixedRateTable(results),
    '',
    ...ttfbTable(results),
    '',
    ...memoryTable(results),
    '',
    backgroundLine(results),
    '',
    '### Targets',
    '',
    '```',
    ...checks(results).map((check) => `${check.pass ? 'PASS' : 'FAIL'}  ${check.text}`),
    cpuLine(results),
    '```',
    '',
  ].join('\n');
}

/** Writes `bench/results/gateway-<timestamp>.json` and returns its path. */
export function writeJson(directory: string, results: BenchResults): string {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `gateway-${results.meta.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, `${JSON.stringify({ ...results, checks: checks(results) }, null, 2)}\n`);
  return path;
}
