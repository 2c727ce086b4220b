/**
 * Writes results as they finish, a few at a time: a batch is flushed when it reaches `batchSize`
 * or after `intervalMs`, so a crash loses at most the last fraction of a second of work (redone
 * on resume) while 10,000 items do not cost 10,000 transactions.
 */
import type { EvalResult, Store } from '../store/index.js';

export class ResultWriter {
  private pending: EvalResult[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly store: Store,
    private readonly options: { batchSize: number; intervalMs: number } = { batchSize: 200, intervalMs: 100 },
  ) {}

  /** Throws the error of an earlier failed write, so a run stops instead of losing results silently. */
  add(result: EvalResult): void {
    if (this.failure !== undefined) throw this.failure;
    this.pending.push(result);
    if (this.pending.length >= this.options.batchSize) void this.flush().catch(() => undefined);
    else this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.options.intervalMs);
  }

  /** Writes everything added so far; writes happen one after another, in order. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      try {
        await this.store.evals.saveResults(batch);
      } catch (error) {
        this.failure = error;
        throw error;
      }
    });
    return this.writing;
  }
}
