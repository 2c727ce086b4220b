/**
 * Wire shapes that the server's modules produce and the SDK hands to its callers, defined once.
 * Types only, nothing that runs: the browser SDK takes them from this file directly (core's
 * index also loads configuration and ids, which need Node), the server's modules through the index.
 * The one import is type-only, of experiment.ts (a zod schema, no Node).
 */

/**
 * An experiment definition as a caller writes it (`ExperimentInput`: what has a default may be left
 * out) and as a run stores it (`ExperimentDefinition`): the types of the schema that
 * `POST /api/evals/runs` parses, so the SDK keeps no copy of it.
 */
export type { ExperimentDefinition, ExperimentInput, JudgeInput, MetricSpecInput, VariantInput, VariantParameters } from './experiment.js';

export type StatsBucket = 'minute' | 'hour' | 'day';
export type StatsGroupBy = 'model' | 'key' | 'deployment' | 'project';

/** One time bucket of the dashboard's series (of one group when grouped). */
export interface StatsPoint {
  /** Bucket start, epoch ms. */
  t: number;
  /** The group's value (model name, key id, deployment name, project id); null when ungrouped or none. */
  group: string | null;
  requests: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  ttft_p50_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

/** Totals and percentiles over a whole window (percentiles from histograms, within a small relative error). */
export interface StatsSummary {
  from: number;
  to: number;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  avg_latency_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
}

/** An error code and message, how often it happened in a window and when last. */
export interface TopError {
  code: string;
  message: string;
  count: number;
  last_at: number;
}

/** One gate ("rougeL>=0.40", "exact_match>=baseline-0.02") checked on one variant of a run. */
export interface GateResult {
  gate: string;
  variant: string;
  passed: boolean;
  actual: number | null;
  threshold: number | null;
  message: string;
}

/** A metric of `GET /api/evals/metrics`: the option names it accepts (values as `POST /api/evals/metrics` takes them). */
export interface MetricInfo {
  name: string;
  options: string[];
  /** Items may have no reference (json_valid, regex, length). */
  references_optional: boolean;
  /** An experiment can score its outputs with it; false for metrics of measurements one passes in (latency, cost, embeddings). */
  experiments: boolean;
}

/** A mean over items with its bootstrap confidence interval. */
export interface MeanInterval {
  mean: number;
  low: number;
  high: number;
  n: number;
}

/** Two runs (or variants) compared item by item with a paired bootstrap. */
export interface PairedComparison {
  /** Mean of candidate − baseline over the paired items. */
  meanDifference: number;
  low: number;
  high: number;
  n: number;
  /** Two-sided bootstrap p-value for "no difference". */
  pValue: number;
  wins: number;
  losses: number;
  ties: number;
}

/** One variant of an experiment run, aggregated over its items. */
export interface VariantSummary {
  variant: string;
  model: string;
  items: number;
  errors: number;
  error_rate: number;
  /** Score key (`exact_match`, `rougeL`, `judge.correct`…) → mean over the items that have it, with its interval. */
  scores: Record<string, MeanInterval>;
  latency_ms: { mean: number; p50: number; p95: number };
  tokens: { input: number; output: number };
  /** Total USD; null when the cost could not be known (runs through HTTP). */
  cost_usd: number | null;
  cost_per_item_usd: number | null;
}

/** A completed run's aggregates per variant. */
export interface RunSummary {
  run_id: string;
  experiment: string;
  seed: number;
  bootstrap: { iterations: number; confidence: number };
  variants: VariantSummary[];
}

export type FeedbackKind = 'thumbs' | 'score' | 'label' | 'correction' | 'preference';
export type ScoreKind = 'numeric' | 'categorical';

/** What a project's scores of one name may be: a number in a range, or one of some categories. */
export interface ScoreDefinition {
  name: string;
  project_id: string;
  kind: ScoreKind;
  min: number | null;
  max: number | null;
  categories: string[] | null;
  description: string | null;
  created_at: number;
  updated_at: number;
  updated_by: string;
}

/** One side of a preference: another trace's output, or a text given with the feedback. */
export interface PreferenceSide {
  trace_id: string | null;
  text: string | null;
}

export interface Feedback {
  id: string;
  project_id: string;
  trace_id: string | null;
  dataset_item_id: string | null;
  queue_item_id: string | null;
  kind: FeedbackKind;
  name: string;
  /** thumbs: 1 (up) or 0 (down); score: the number. */
  value: number | null;
  /** thumbs: `up`/`down`; label: the category. */
  label: string | null;
  correction: string | null;
  preference: { chosen: PreferenceSide; rejected: PreferenceSide } | null;
  comment: string | null;
  /** Who gave it, as the caller named them (e.g. an end user id). */
  author: string | null;
  /** The key id that sent it. */
  principal: string;
  created_at: number;
}

/** Count, mean and distribution of one score name. */
export interface FeedbackSummary {
  name: string;
  kind: FeedbackKind;
  count: number;
  /** Mean of the numbers (thumbs: the share of ups); null for labels, corrections, preferences. */
  mean: number | null;
  /** value → how many times it was given (numbers as their decimal text). */
  distribution: Record<string, number>;
}

export type QueueAssignment = 'round_robin' | 'explicit';
export type QueueSourceKind = 'trace' | 'dataset_item';

export interface AnnotationQueue {
  id: string;
  name: string;
  project_id: string;
  description: string | null;
  reviewers: string[];
  assignment: QueueAssignment;
  required_reviews: number;
  /** The score definition reviewers answer with; null when every feedback kind is accepted. */
  score_name: string | null;
  item_count: number;
  created_at: number;
  created_by: string;
}

export interface AnnotationItem {
  id: string;
  queue_id: string;
  position: number;
  source_kind: QueueSourceKind;
  source_id: string;
  input_text: string;
  output_text: string | null;
  created_at: number;
}

export interface QueueProgress {
  total_items: number;
  /** Items with `required_reviews` answers. */
  completed_items: number;
  reviewers: { reviewer: string; assigned: number; done: number; skipped: number; pending: number }[];
}

/** Agreement between a queue's reviewers on one score name. */
export interface ScoreAgreement {
  name: string;
  kind: string;
  reviewers: string[];
  /** Items answered by two or more reviewers: the ones agreement is computed over. */
  items_compared: number;
  percent_agreement: number | null;
  /** Only when exactly two reviewers answered the compared items. */
  cohens_kappa: number | null;
  /** Only when every compared item has the same number of answers. */
  fleiss_kappa: number | null;
  krippendorff_alpha_nominal: number | null;
  /** Numeric scores only: distances count, 4 vs 5 disagrees less than 1 vs 5. */
  krippendorff_alpha_interval: number | null;
}

/** What a deployment version serves. */
export interface DeploymentSpec {
  /** A prompt reference such as `support-reply@production`, rendered by the prompts module; null for none. */
  prompt: string | null;
  /** A configured model or group name, or `registry:NAME@ALIAS`. */
  model: string;
  parameters: Record<string, unknown>;
  fallbacks: string[];
}

export interface DeploymentVersion extends DeploymentSpec {
  version: number;
  /** `candidate`: a canary variant that serves only its share of traffic until promoted. */
  status: 'pending' | 'approved' | 'candidate';
  /** For a rollback: the version it copies. */
  source_version: number | null;
  created_at: number;
  created_by: string;
  approved_by: string | null;
  activated_at: number | null;
}

export interface Deployment {
  name: string;
  project_id: string;
  /** The version `deployment:NAME` serves; null until one is approved. */
  active_version: number | null;
  created_at: number;
  versions: DeploymentVersion[];
}

/** One entry of the hash-chained audit log. */
export interface AuditEntry {
  id: string;
  seq: number;
  at: number;
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  before: unknown;
  after: unknown;
  hash: string;
}

export type CanaryStatusName = 'pending' | 'running' | 'promoted' | 'rolled_back' | 'aborted';

export interface CanaryVariant {
  name: string;
  /** Share of the deployment's traffic, 0–100; the variants of a canary add up to 100. */
  percent: number;
  /** The deployment version this variant serves. */
  version: number;
}

export interface CanaryDecision {
  seq: number;
  at: number;
  action: 'promote' | 'rollback' | 'abort';
  actor: string;
  evidence: unknown;
}

export interface PromotionRequest {
  variant: string;
  requested_by: string;
  at: number;
}

/** A canary or A/B release of a deployment; `last_evaluation` is the analysis's last result. */
export interface Canary {
  id: string;
  deployment: string;
  status: CanaryStatusName;
  baseline: string;
  variants: CanaryVariant[];
  /** The analysis settings with defaults filled in (alpha, min_samples, margins…). */
  settings: Record<string, unknown>;
  created_at: number;
  created_by: string;
  approved_by: string | null;
  started_at: number | null;
  ended_at: number | null;
  ended_by: string | null;
  end_reason: string | null;
  latency_threshold_ms: number | null;
  latency_snapshot: Record<string, { n: number; over: number }> | null;
  promotion_request: PromotionRequest | null;
  last_evaluation: unknown;
  evaluated_at: number | null;
  decisions: CanaryDecision[];
}

/** One item's score on both sides of a comparison. */
export interface ItemDifference {
  item_id: string;
  baseline: number;
  candidate: number;
  difference: number;
}

/** Two runs (or two variants of one run) compared item by item. */
export interface RunComparison {
  baseline: { run: string; variant: string };
  candidate: { run: string; variant: string };
  /** Items finished without error on both sides. */
  paired_items: number;
  /** Per score both sides have: the paired bootstrap of candidate − baseline. */
  metrics: Record<string, PairedComparison>;
  /** The metric whose per-item differences are listed. */
  metric: string | null;
  /** Largest |difference| first. */
  items: ItemDifference[];
}
