import type { RevisionRepository, RevisionTopic } from './revisions.js';

export interface RevisionWatcherOptions {
  intervalMs: number;
  onChange(topic: RevisionTopic): void;
  onError?(error: unknown): void;
}

/**
 * Polls the revisions table and reports topics whose version moved, so that every process
 * drops its in-memory caches (keys, models) soon after any process changes them. The poll is
 * one small indexed read; the hot path itself never waits on it.
 */
export class RevisionWatcher {
  private timer: NodeJS.Timeout | undefined;
  private known: Record<string, number> = {};
  private polling = false;

  constructor(
    private readonly revisions: RevisionRepository,
    private readonly options: RevisionWatcherOptions,
  ) {}

  async start(): Promise<void> {
    this.known = await this.revisions.all();
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Checks now; also used by tests and after a local write to skip the wait. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const current = await this.revisions.all();
      for (const [topic, version] of Object.entries(current)) {
        if (this.known[topic] !== version) this.options.onChange(topic as RevisionTopic);
      }
      this.known = current;
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
