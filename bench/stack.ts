/** The three processes together: started in order, measured for memory, and always stopped. */
import { memoryOf } from './proc-stats.js';
import type { BenchResults, MemoryReading } from './report.js';
import {
  startFener,
  startMinimalProxy,
  startMockProvider,
  type FenerOptions,
  type Launch,
  type RunningFener,
  type RunningTarget,
} from './targets.js';

export interface Stack {
  mock: RunningTarget;
  proxy: RunningTarget;
  fener: RunningFener;
  pids(): number[];
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Where Fener and the mock provider run from. */
  launch: Launch;
  /** The checkout holding `bench/minimal-proxy.ts`. */
  benchRoot: string;
  cpuProfileDir: string | undefined;
  /** How Fener is configured beyond the defaults (cache, key limits, workers…). */
  fener?: Omit<FenerOptions, 'launch' | 'upstream' | 'cpuProfileDir'>;
}

export async function startAll(options: StackOptions): Promise<Stack> {
  const { launch, cpuProfileDir } = options;
  const started: { stop(): Promise<void> }[] = [];
  try {
    const mock = await startMockProvider(launch);
    started.push(mock.child);
    const proxy = await startMinimalProxy(options.benchRoot, mock.url);
    started.push(proxy.child);
    const fener = await startFener({ ...options.fener, launch, upstream: mock.url, ...(cpuProfileDir ? { cpuProfileDir } : {}) });
    started.push(fener);
    return {
      mock,
      proxy,
      fener,
      pids: () => [mock.child.pid, proxy.child.pid, fener.child.pid],
      // Fener first, while its upstream is still there to finish anything in flight.
      stop: async () => {
        for (const child of started.reverse()) await child.stop();
      },
    };
  } catch (error) {
    for (const child of started.reverse()) await child.stop();
    throw error;
  }
}

/**
 * Resident memory of Fener (from its own `/metrics`, as an operator would read it) and of the
 * minimal proxy (from /proc) — before any load, or after it when `before` is given.
 */
export async function readMemory(stack: Stack, before?: BenchResults['memory']): Promise<BenchResults['memory']> {
  const fenerNow = (await stack.fener.residentMemoryBytes()) ?? memoryOf(stack.fener.child.pid)?.rssBytes;
  const proxyNow = memoryOf(stack.proxy.child.pid);
  const reading = (
    now: number | undefined,
    peak: number | undefined,
    previous: MemoryReading | undefined,
    source: string,
  ): MemoryReading => ({
    beforeBytes: previous ? previous.beforeBytes : now,
    afterBytes: previous ? now : undefined,
    peakBytes: peak,
    source,
  });
  return {
    fener: reading(fenerNow, memoryOf(stack.fener.child.pid)?.peakRssBytes, before?.fener, '/metrics (peak: /proc VmHWM)'),
    proxy: reading(proxyNow?.rssBytes, proxyNow?.peakRssBytes, before?.proxy, '/proc VmRSS, VmHWM'),
  };
}
