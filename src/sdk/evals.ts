/** Experiments in `/api/evals`: runs, their aggregates and per-item results, and paired comparisons (admin key). */
import type {
  ExperimentDefinition,
  ExperimentInput,
  GateResult,
  ItemDifference,
  JudgeInput,
  MeanInterval,
  MetricInfo,
  MetricSpecInput,
  PairedComparison,
  RunComparison,
  RunSummary,
  VariantInput,
  VariantParameters,
  VariantSummary,
} from '../core/contracts.js';
import { queryString, type Transport } from './http.js';

export type {
  ExperimentDefinition,
  ExperimentInput,
  GateResult,
  ItemDifference,
  JudgeInput,
  MeanInterval,
  MetricInfo,
  MetricSpecInput,
  PairedComparison,
  RunComparison,
  RunSummary,
  VariantInput,
  VariantParameters,
  VariantSummary,
};

const segment = encodeURIComponent;

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface EvalRun {
  id: string;
  experiment: string;
  status: RunStatus;
  seed: number;
  total_items: number | null;
  /** Results stored so far (items × variants). */
  results: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  created_by: string;
  error: string | null;
  /** The experiment definition, as the server read it (defaults filled in). */
  config: ExperimentDefinition;
  /** Aggregates per variant once the run completed. */
  summary: RunSummary | null;
}

export interface ExperimentEntry {
  experiment: string;
  runs: number;
  last_run_at: number;
}

export interface EvalResult {
  variant: string;
  item_id: string;
  item_index: number;
  status: 'ok' | 'error';
  output: string | null;
  scores: Record<string, number>;
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  trace_id: string | null;
  error: string | null;
}

/** A page of results ending at an item boundary; pass `next_after` back as `after`. */
export interface EvalResultPage {
  data: EvalResult[];
  next_after: number | null;
}

export interface CompareInput {
  baseline: { run: string; variant?: string };
  candidate: { run: string; variant?: string };
  metric?: string;
  /** Per-item differences listed (default 20, at most 1000). */
  limit?: number;
}

export interface GateReport {
  passed: boolean;
  results: GateResult[];
}

export interface EvalsApi {
  experiments(): Promise<{ data: ExperimentEntry[] }>;
  runs(query?: { experiment?: string; limit?: number }): Promise<{ data: EvalRun[] }>;
  run(id: string): Promise<EvalRun>;
  /**
   * Start a run from an experiment definition (as in eval.yaml); it runs in the background, so poll
   * `run(id)` until its status is no longer `running`. A definition that would fail every item (a
   * bad field, an unknown model or metric option) is refused with `invalid_request` naming the field.
   */
  start(definition: ExperimentInput): Promise<EvalRun>;
  /** Stop a running run; it keeps its finished items and can be resumed. */
  cancel(id: string): Promise<EvalRun>;
  /** Run the items a cancelled or failed run has not finished. */
  resume(id: string): Promise<EvalRun>;
  results(id: string, query?: { variant?: string; after?: number; limit?: number }): Promise<EvalResultPage>;
  compare(input: CompareInput): Promise<RunComparison>;
  /** The metrics with their option names; those with `experiments: true` may appear in a definition's `metrics`. */
  metrics(): Promise<{ data: MetricInfo[] }>;
  /** Gates against a completed run; `baseline` is the run that `baseline` in a gate means. */
  checkGates(id: string, input: { gates: string[]; baseline?: string }): Promise<GateReport>;
}

/**
 * @example
 * const started = await fener.evals.start({
 *   name: 'answer-prompt',
 *   dataset: { dataset: 'qa@2:test' },
 *   variants: [{ model: 'small' }, { prompt: 'answer@production', parameters: { temperature: 0 } }],
 *   metrics: ['exact_match', { metric: 'rouge', options: { rouge_types: ['rougeL'] } }],
 * });
 * const { data } = await fener.evals.runs({ experiment: 'answer-prompt', limit: 2 });
 * const comparison = await fener.evals.compare({ baseline: { run: data[1]!.id }, candidate: { run: data[0]!.id }, metric: 'exact_match' });
 */
export function evalsApi(http: Transport): EvalsApi {
  return {
    experiments: () => http.request('GET', '/api/evals/experiments'),
    runs: (query = {}) => http.request('GET', `/api/evals/runs${queryString(query)}`),
    run: (id) => http.request('GET', `/api/evals/runs/${segment(id)}`),
    start: (definition) => http.request('POST', '/api/evals/runs', { body: definition }),
    cancel: (id) => http.request('POST', `/api/evals/runs/${segment(id)}/cancel`),
    resume: (id) => http.request('POST', `/api/evals/runs/${segment(id)}/resume`),
    results: (id, query = {}) => http.request('GET', `/api/evals/runs/${segment(id)}/results${queryString(query)}`),
    compare: (input) => http.request('POST', '/api/evals/compare', { body: input }),
    metrics: () => http.request('GET', '/api/evals/metrics'),
    checkGates: (id, input) => http.request('POST', `/api/evals/runs/${segment(id)}/gates`, { body: input }),
  };
}
