/**
 * Live signals from the hot path: every finished call of a canary variant is counted in memory
 * (a few map updates, no I/O) and the sums are added to the store's counters on a timer, so the
 * evaluator on any replica sees every replica's traffic. A failed write keeps the sums for the
 * next flush.
 */
import type { PendingTrace } from '../../gateway/index.js';
import type { CanaryCountIncrement, Store } from '../../store/index.js';
import { latencyBucket } from './signals.js';

export interface CanaryCountersOptions {
  /** How often sums are written (default 1 s). */
  flushIntervalMs?: number;
  onError?(error: unknown): void;
}

/** The canary and variant a call was served by, from its trace metadata (`fener.deployment`). */
export function canaryOf(trace: PendingTrace): { canary: string; variant: string } | undefined {
  const fener = trace.metadata?.fener;
  if (fener === null || typeof fener !== 'object') return undefined;
  const deployment = (fener as Record<string, unknown>).deployment;
  if (deployment === null || typeof deployment !== 'object') return undefined;
  const { canary, variant } = deployment as Record<string, unknown>;
  return typeof canary === 'string' && typeof variant === 'string' ? { canary, variant } : undefined;
}

export class CanaryCounters {
  private pending = new Map<string, CanaryCountIncrement>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: CanaryCountersOptions = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  /**
   * Counts one finished call: `requests`, `errors` (any failure but a client that left), and the
   * latency bucket of a successful call.
   */
  readonly observe = (trace: PendingTrace): void => {
    const served = canaryOf(trace);
    if (!served || trace.http_status === 499) return;
    const count = (metric: string) => this.add({ canaryId: served.canary, variant: served.variant, metric, count: 1 });
    count('requests');
    if (trace.status === 'error') count('errors');
    else count(`latency:${latencyBucket(trace.latency_ms)}`);
  };

  add(increment: CanaryCountIncrement): void {
    const key = `${increment.canaryId}\u0000${increment.variant}\u0000${increment.metric}`;
    const current = this.pending.get(key);
    if (current) current.count += increment.count;
    else this.pending.set(key, { ...increment });
  }

  /** Writes the sums so far; concurrent callers share one write. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.store.canaries.addCounts([...batch.values()]);
    } catch (error) {
      for (const item of batch.values()) this.add(item);
      this.options.onError?.(error);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
