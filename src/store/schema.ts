/**
 * Table types for Kysely. Both dialects store the same shapes: times as epoch milliseconds
 * (bigint), booleans as 0/1 integers and JSON as text, so one set of queries serves both.
 */
import type { Generated } from 'kysely';

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
}

/** One counter per topic (`keys`, `models`…), bumped on change so other processes reload. */
export interface RevisionsTable {
  topic: string;
  version: number;
}

export interface Database {
  projects: ProjectsTable;
  api_keys: ApiKeysTable;
  models: ModelsTable;
  traces: TracesTable;
  revisions: RevisionsTable;
}

/** Kept so that an auto-increment column can be added without changing imports. */
export type { Generated };
