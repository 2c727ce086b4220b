/**
 * Records traces off the hot path: a call only turns its record into a row (bodies serialised,
 * the PII policy applied) and queues it in memory; a timer writes batches. Memory is bounded —
 * when the queue is full new records are dropped and counted in `fener_traces_dropped_total` —
 * and `close()` writes everything still queued. Each batch also updates the dashboard's rollups,
 * in the same transaction (see store/trace-rollups.ts).
 */
import type { Logger } from 'pino';
import { deploymentOf, type Store, type TraceRow } from '../store/index.js';
import type { GatewayMetrics } from './metrics.js';

/** A trace as the gateway hands it over, bodies as objects; `record` serialises them. */
export interface PendingTrace extends Omit<TraceRow, 'request_body' | 'response_body' | 'metadata' | 'deployment'> {
  request_body: unknown;
  response_body: unknown;
  metadata: Record<string, unknown> | null;
}

export interface TraceRecorderOptions {
  store: Store;
  metrics: GatewayMetrics;
  logger: Logger;
  batchSize: number;
  flushIntervalMs: number;
  queueLimit: number;
  captureBodies: boolean;
  /** Applied to each trace when it is recorded: the PII policy of traces. */
  redact?: (trace: PendingTrace) => PendingTrace;
}

export class TraceRecorder {
  /**
   * Rows, not pending traces: serialised as each call ends, the queue holds a few strings per
   * call instead of its request and response object graphs. Those graphs then die young; kept
   * until the next flush they outlived a scavenge or two and were copied into the old generation,
   * whose collections (tens of ms every second or two at 1,000 calls/s) were the gateway's p99.
   * Serialising a whole batch at flush time also held the event loop for milliseconds at once.
   */
  private queue: TraceRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private readonly listeners: ((trace: PendingTrace) => void)[] = [];

  constructor(private readonly options: TraceRecorderOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /**
   * Calls `listener` with every finished call, dropped ones included, synchronously on the hot
   * path: a listener only counts in memory (the canary counters do) and must not throw or wait.
   */
  onRecord(listener: (trace: PendingTrace) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  record(trace: PendingTrace): void {
    for (const listener of this.listeners) {
      try {
        listener(trace);
      } catch (error) {
        this.options.logger.error({ err: error }, 'a trace listener failed');
      }
    }
    if (this.queue.length >= this.options.queueLimit) {
      this.options.metrics.tracesDropped.inc();
      return;
    }
    let row: TraceRow;
    try {
      row = this.toRow(trace);
    } catch (error) {
      // A body JSON cannot represent (a BigInt, a cycle) must not fail the call it describes.
      this.options.metrics.tracesDropped.inc();
      this.options.logger.error({ err: error, trace: trace.id }, 'a trace could not be serialised; dropped');
      return;
    }
    this.queue.push(row);
    if (this.queue.length >= this.options.batchSize && this.writing === undefined) void this.flush();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Writes what is queued now; concurrent callers share one write. */
  async flush(): Promise<void> {
    if (this.writing) return this.writing;
    if (this.queue.length === 0) return;
    this.writing = this.writeQueued().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  private async writeQueued(): Promise<void> {
    const { store, metrics, logger, batchSize } = this.options;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, batchSize);
      try {
        await store.traces.insertMany(batch);
      } catch (error) {
        // Kept in the queue and retried on the next tick; the queue limit bounds the memory.
        metrics.traceWriteFailures.inc();
        logger.error({ err: error, batch: batch.length }, 'writing traces failed; will retry');
        return;
      } finally {
        metrics.traceQueueDepth.set(this.queue.length);
      }
      this.queue.splice(0, batch.length);
      metrics.tracesWritten.inc(batch.length);
      metrics.traceQueueDepth.set(this.queue.length);
    }
  }

  private toRow(pending: PendingTrace): TraceRow {
    const capture = this.options.captureBodies;
    const trace = capture && this.options.redact ? this.options.redact(pending) : pending;
    return {
      ...trace,
      metadata: trace.metadata === null ? null : JSON.stringify(trace.metadata),
      // A column of its own so the list can filter on it and the dashboard group by it.
      deployment: deploymentOf(trace.metadata),
      request_body: capture ? serialise(trace.request_body) : null,
      response_body: capture ? serialise(trace.response_body) : null,
    };
  }

  /** Stops the timer and writes everything; retries a failing database a few times first. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (let attempt = 0; attempt < 5 && (this.queue.length > 0 || this.writing); attempt++) {
      await this.flush();
      if (this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    }
    if (this.queue.length > 0) this.options.logger.error({ lost: this.queue.length }, 'traces could not be written at shutdown');
  }
}

function serialise(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  return typeof body === 'string' ? body : JSON.stringify(body);
}
