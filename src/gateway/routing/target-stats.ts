/**
 * What this process has seen of each target: a moving average of latency and the calls in
 * flight. Used by the least-latency and least-busy strategies; local on purpose (each replica
 * balances its own traffic, and these numbers change too fast to share usefully).
 */
const smoothing = 0.2;

interface Entry {
  latencyMs: number | undefined;
  inFlight: number;
}

export class TargetStats {
  private readonly entries = new Map<string, Entry>();

  private entry(name: string): Entry {
    let entry = this.entries.get(name);
    if (!entry) {
      entry = { latencyMs: undefined, inFlight: 0 };
      this.entries.set(name, entry);
    }
    return entry;
  }

  started(name: string): void {
    this.entry(name).inFlight++;
  }

  finished(name: string, latencyMs: number | undefined): void {
    const entry = this.entry(name);
    entry.inFlight = Math.max(0, entry.inFlight - 1);
    if (latencyMs !== undefined) {
      entry.latencyMs = entry.latencyMs === undefined ? latencyMs : entry.latencyMs + smoothing * (latencyMs - entry.latencyMs);
    }
  }

  /** Unmeasured targets count as fastest, so that each gets tried and measured. */
  latency(name: string): number {
    return this.entries.get(name)?.latencyMs ?? 0;
  }

  inFlight(name: string): number {
    return this.entries.get(name)?.inFlight ?? 0;
  }
}
