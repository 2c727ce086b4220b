/**
 * Table types for Kysely. Both dialects store the same shapes: times as epoch milliseconds
 * (bigint), booleans as 0/1 integers and JSON as text, so one set of queries serves both.
 */
import type { Generated } from 'kysely';
import type { DatasetTables } from './dataset-tables.js';
import type { FeedbackTables } from './feedback-tables.js';

/** Limit columns shared by keys and projects (migration 0003); null means "no limit". */
export interface LimitColumns {
  rpm: number | null;
  tpm: number | null;
  budget_usd: number | null;
  /** `day`, `month` or `total` (UTC). */
  budget_period: string | null;
}

export interface ProjectsTable extends LimitColumns {
  id: string;
  name: string;
  created_at: number;
}

export interface ApiKeysTable extends LimitColumns {
  id: string;
  /** Null for the admin key, which belongs to no project. */
  project_id: string | null;
  name: string;
  kind: 'admin' | 'project';
  key_hash: string;
  /** The first characters of the key, shown in lists so people can tell keys apart. */
  key_hint: string;
  created_at: number;
  revoked_at: number | null;
}

export interface ModelsTable {
  id: string;
  name: string;
  provider: string;
  upstream_model: string;
  input_per_mtok: number;
  output_per_mtok: number;
  cached_input_per_mtok: number | null;
  context_window: number | null;
  max_output_tokens: number | null;
  licence: string | null;
  /** JSON array of tasks, e.g. `["chat"]`. */
  tasks: string;
  created_at: number;
  updated_at: number;
}

export interface TracesTable {
  id: string;
  trace_id: string;
  request_id: string;
  project_id: string;
  key_id: string | null;
  created_at: number;
  endpoint: string;
  model: string;
  provider: string | null;
  upstream_model: string | null;
  status: 'ok' | 'error';
  http_status: number;
  error_code: string | null;
  error_message: string | null;
  end_user: string | null;
  session_id: string | null;
  /** JSON object from the `x-fener-metadata` header. */
  metadata: string | null;
  request_body: string | null;
  response_body: string | null;
  stream: number;
  latency_ms: number;
  ttft_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  tokens_estimated: number;
  cost_usd: number;
  /** Upstream calls made: retries and fallbacks included; 0 for cache hits and refused calls. */
  attempts: number;
  /** `exact` or `semantic` when the answer came from the cache. */
  cache_hit: 'exact' | 'semantic' | null;
  /** For cache hits: what the original call cost. */
  cost_saved_usd: number;
  /** The deployment the call was made through (`deployment:<name>`), from migration 0011. */
  deployment: string | null;
}

/**
 * Per-minute and per-hour aggregates of traces (migration 0012), one row per bucket × project ×
 * dimension value: `dimension` is `all` (value ''), `model`, `key` or `deployment` ('' for none);
 * `project_id` '*' counts every project (dimensions all, model and deployment only).
 * Written in the same transaction as the traces, by upserts that add.
 */
export interface TraceRollupsTable {
  bucket: number;
  project_id: string;
  dimension: 'all' | 'model' | 'key' | 'deployment';
  value: string;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms_sum: number;
  /** Latency histogram, `bin:count,…` in ascending bins (see latency-histogram.ts). */
  latency_hist: string;
  ttft_count: number;
  ttft_hist: string;
}

/** Failed calls per hour × project × (code, message) (migration 0012), for top errors. */
export interface TraceErrorRollupTable {
  bucket: number;
  project_id: string;
  /** A hash of (code, message): the primary key stays short whatever the message's length. */
  error_key: string;
  code: string | null;
  message: string | null;
  count: number;
  /** Epoch ms of the last failure counted. */
  last_at: number;
}

/** One counter per topic (`keys`, `models`…), bumped on change so other processes reload. */
export interface RevisionsTable {
  topic: string;
  version: number;
}

/** A model in the registry (migration 0006); its versions are what can be called and deployed. */
export interface RegistryModelsTable {
  id: string;
  name: string;
  project_id: string;
  description: string | null;
  created_at: number;
  created_by: string;
}

/** An immutable model version; only its evaluations (a separate table) grow after it is registered. */
export interface RegistryVersionsTable {
  model_id: string;
  version: number;
  /** `hosted`, `self-hosted`, `fine-tuned` or `quantised`. */
  kind: string;
  provider: string;
  upstream_model: string;
  /** The generated `models` row (`registry/NAME/vN`) the gateway routes to. */
  serving_model: string;
  input_per_mtok: number;
  output_per_mtok: number;
  context_window: number | null;
  licence: string | null;
  /** JSON array of tasks. */
  tasks: string;
  /** `model@version` this one was fine-tuned (or quantised) from. */
  fine_tuned_from: string | null;
  dataset_version: string | null;
  created_at: number;
  created_by: string;
}

export interface RegistryEvaluationsTable {
  id: string;
  model_id: string;
  version: number;
  name: string;
  metric: string;
  value: number;
  at: number;
}

export interface RegistryAliasesTable {
  model_id: string;
  alias: string;
  version: number;
  updated_at: number;
  updated_by: string;
}

export interface DeploymentsTable {
  id: string;
  name: string;
  project_id: string;
  /** The version the `deployment:` name serves; null until a first version is approved. */
  active_version: number | null;
  created_at: number;
}

/** An immutable deployment version: prompt, model, parameters and fallbacks together. */
export interface DeploymentVersionsTable {
  deployment_id: string;
  version: number;
  prompt_ref: string | null;
  model_ref: string;
  /** JSON object of model parameters. */
  parameters: string;
  /** JSON array of model names. */
  fallbacks: string;
  /** `pending` (waiting for a second person) or `approved`. */
  status: string;
  /** The version this one copies, for rollbacks. */
  source_version: number | null;
  created_at: number;
  created_by: string;
  approved_by: string | null;
  /** When it last became the active version; null if it never served. */
  activated_at: number | null;
}

/** One governance policy per project, as JSON (allowed providers, models, licences, approvals). */
export interface PoliciesTable {
  project_id: string;
  document: string;
  updated_at: number;
  updated_by: string;
}

/** Append-only, hash-chained record of every change (see audit.ts). */
export interface AuditLogTable {
  id: string;
  seq: number;
  at: number;
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  /** Canonical JSON, or null. */
  before: string | null;
  after: string | null;
  hash: string;
}

/** A managed prompt (migration 0005); `latest_version` numbers versions and is never reused. */
export interface PromptsTable {
  name: string;
  latest_version: number;
  created_at: number;
  updated_at: number;
}

/** An immutable prompt version: its content (JSON text) and the SHA-256 of its canonical form. */
export interface PromptVersionsTable {
  prompt_name: string;
  version: number;
  content: string;
  content_hash: string;
  created_at: number;
  /** The principal id (or `cli:user`) that pushed it. */
  created_by: string;
}

/** A label (`production`, `staging`…) points at one existing version (a foreign key makes that so). */
export interface PromptLabelsTable {
  prompt_name: string;
  label: string;
  version: number;
  updated_at: number;
  updated_by: string;
}

/** Every move of a label, numbered per label (`seq`), for history and rollback. */
export interface PromptLabelHistoryTable {
  prompt_name: string;
  label: string;
  seq: number;
  from_version: number | null;
  to_version: number;
  at: number;
  actor: string;
}

/** A canary or A/B release of a deployment (migration 0010); at most one pending or running per deployment. */
export interface DeploymentCanariesTable {
  id: string;
  deployment_id: string;
  /** `pending` (waiting for approval), `running`, `promoted`, `rolled_back` or `aborted`. */
  status: string;
  /** The name of the variant the others are compared with. */
  baseline: string;
  /** JSON array of `{name, percent, version}`: each variant is a deployment version. */
  variants: string;
  /** JSON of the analysis settings (alpha, minimum samples, signals, automatic decisions). */
  settings: string;
  created_at: number;
  created_by: string;
  approved_by: string | null;
  started_at: number | null;
  ended_at: number | null;
  ended_by: string | null;
  /** Why it ended, in words. */
  end_reason: string | null;
  /** The latency bound of the latency signal, fixed once from the baseline's warm-up. */
  latency_threshold_ms: number | null;
  /** JSON `{variant: {n, over}}`: latency counts at the moment the bound was fixed (excluded from the test). */
  latency_snapshot: string | null;
  /** JSON `{variant, requested_by, at}` of a manual promotion waiting for a second person. */
  promotion_request: string | null;
  /** JSON of the latest evaluation (decision `continue` included). */
  last_evaluation: string | null;
  evaluated_at: number | null;
}

/** Counters per canary, variant and metric, added to by every replica (`count = count + n`). */
export interface CanaryCountsTable {
  canary_id: string;
  variant: string;
  /** `requests`, `errors`, `latency:<bucket>`, `score:<source>:n`, `score:<source>:bad`. */
  metric: string;
  count: number;
}

/** Every promote or rollback decision with its evidence, automatic or manual. */
export interface CanaryDecisionsTable {
  canary_id: string;
  seq: number;
  at: number;
  action: string;
  actor: string;
  /** JSON: counts, estimates, test statistics and thresholds per variant and signal. */
  evidence: string;
}

export interface Database extends FeedbackTables, DatasetTables {
  projects: ProjectsTable;
  api_keys: ApiKeysTable;
  models: ModelsTable;
  traces: TracesTable;
  trace_rollup_minute: TraceRollupsTable;
  trace_rollup_hour: TraceRollupsTable;
  trace_error_hour: TraceErrorRollupTable;
  revisions: RevisionsTable;
  prompts: PromptsTable;
  prompt_versions: PromptVersionsTable;
  prompt_labels: PromptLabelsTable;
  prompt_label_history: PromptLabelHistoryTable;
  registry_models: RegistryModelsTable;
  registry_versions: RegistryVersionsTable;
  registry_evaluations: RegistryEvaluationsTable;
  registry_aliases: RegistryAliasesTable;
  deployments: DeploymentsTable;
  deployment_versions: DeploymentVersionsTable;
  policies: PoliciesTable;
  audit_log: AuditLogTable;
  deployment_canaries: DeploymentCanariesTable;
  canary_counts: CanaryCountsTable;
  canary_decisions: CanaryDecisionsTable;
}

/** Kept so that an auto-increment column can be added without changing imports. */
export type { Generated };
