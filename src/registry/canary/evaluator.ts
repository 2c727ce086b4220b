/**
 * The background evaluator: off the hot path, on a timer, in every server. It reads each running
 * canary's counters from the store, runs the sequential tests, stores the evaluation, and when
 * the tests decide — and the canary allows automatic decisions — promotes or rolls back. State
 * lives in the store and a decision only applies to a canary still running, so any number of
 * replicas may evaluate at once: the first decision wins and the others find nothing to do.
 */
import type { Canary, Store } from '../../store/index.js';
import { RegistryRouting } from '../resolvers.js';
import type { CanaryCounters } from './counters.js';
import { evaluateCanary, type Evaluation } from './evaluate.js';
import { analysisSchema } from './settings.js';
import { fixLatencyBound, signalSources, type LatencyBound } from './signals.js';

export const evaluatorActor = 'system:canary-evaluator';

export interface CanaryEvaluatorOptions {
  /** How often running canaries are evaluated (default 5 s). */
  intervalMs?: number;
  /** This process's counters, flushed before each look so its own traffic is included. */
  counters?: CanaryCounters;
  onError?(error: unknown): void;
  onDecision?(canary: Canary, evaluation: Evaluation): void;
}

export class CanaryEvaluator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: CanaryEvaluatorOptions = {},
  ) {}

  start(): void {
    this.timer = setInterval(
      () => void this.tick().catch((error: unknown) => this.options.onError?.(error)),
      this.options.intervalMs ?? 5000,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Evaluates every running canary once; overlapping ticks share one pass. */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    await this.options.counters?.flush();
    for (const canary of await this.store.canaries.running()) {
      try {
        await this.evaluate(canary);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }

  /** Looks at one canary; returns the evaluation (and applies its decision when allowed). */
  async evaluate(canary: Canary): Promise<Evaluation> {
    const analysis = analysisSchema.parse(canary.settings);
    const counts = await this.store.canaries.counts(canary.id);
    const names = canary.variants.map((variant) => variant.name);
    let bound: LatencyBound | undefined =
      canary.latency_threshold_ms === null
        ? undefined
        : { thresholdMs: canary.latency_threshold_ms, snapshot: canary.latency_snapshot ?? {} };
    let fixed: LatencyBound | undefined;
    if (!bound && analysis.latency.enabled)
      bound = fixed = fixLatencyBound(counts, { baseline: canary.baseline, analysis, variants: names });
    const evaluation = evaluateCanary({
      baseline: canary.baseline,
      challengers: names.filter((name) => name !== canary.baseline),
      analysis,
      counts,
      sources: signalSources(analysis, bound),
      latency: bound,
      now: Date.now(),
    });
    await this.store.canaries.saveEvaluation({ id: canary.id, evaluation, ...(fixed ? { latency: fixed } : {}) });
    const allowed =
      (evaluation.decision === 'rollback' && analysis.auto_rollback) || (evaluation.decision === 'promote' && analysis.auto_promote);
    if (allowed && evaluation.decision !== 'continue') {
      const decided = await this.store.canaries.decide({
        id: canary.id,
        action: evaluation.decision,
        ...(evaluation.variant === undefined ? {} : { variant: evaluation.variant }),
        evidence: evaluation,
        actor: evaluatorActor,
        reason: evaluation.reason,
      });
      if (decided) {
        await RegistryRouting.reloadFor(this.store);
        this.options.onDecision?.(decided, evaluation);
      }
    }
    return evaluation;
  }
}
