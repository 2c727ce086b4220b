/**
 * The shapes `/api` answers with, as the server declares them (its zod schemas generate
 * `/api/openapi.json`). Field names are the wire's own (snake_case); times are epoch milliseconds.
 */

import type { AuditEntry, Deployment, DeploymentVersion } from '../core/contracts.js';

export type { AuditEntry, Deployment, DeploymentVersion };

/** One page of a list; pass `next_cursor` back as `cursor` for the next page (null: last page). */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Who the presented key is. */
export interface Session {
  key_id: string;
  name: string;
  kind: 'admin' | 'project';
  /** null for the admin key. */
  project: { id: string; name: string } | null;
}

export type BudgetPeriod = 'day' | 'month' | 'total';
export interface Limits {
  rpm: number | null;
  tpm: number | null;
}
export interface Budget {
  usd: number;
  period: BudgetPeriod;
}

export interface ApiKey {
  id: string;
  project_id: string | null;
  name: string;
  kind: 'admin' | 'project';
  /** The last characters of the secret, to recognise it. */
  hint: string;
  created_at: number;
  revoked_at: number | null;
  limits: Limits;
  budget: Budget | null;
}

/** A key as created: the only time its secret is shown. */
export interface CreatedKey extends ApiKey {
  key: string;
}

export interface CreateKeyInput {
  name: string;
  /** Project name (default `default`). */
  project?: string;
  limits?: { rpm?: number; tpm?: number };
  budget?: Budget;
}

/** A change of limits: a value sets, `null` removes, an absent field is left alone. */
export interface KeyLimitsPatch {
  limits?: { rpm?: number | null; tpm?: number | null };
  budget?: Budget | null;
}

export interface Project {
  id: string;
  name: string;
  created_at: number;
  limits: Limits;
  budget: Budget | null;
}

export interface Trace {
  id: string;
  trace_id: string;
  request_id: string;
  project_id: string;
  key_id: string | null;
  created_at: number;
  endpoint: string;
  /** The model name the client asked for. */
  model: string;
  provider: string | null;
  upstream_model: string | null;
  status: 'ok' | 'error';
  http_status: number;
  error_code: string | null;
  error_message: string | null;
  end_user: string | null;
  session_id: string | null;
  metadata: Record<string, unknown> | null;
  request_body: unknown;
  response_body: unknown;
  stream: boolean;
  latency_ms: number;
  ttft_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  tokens_estimated: boolean;
  cost_usd: number;
  attempts: number;
  cache_hit: 'exact' | 'semantic' | null;
  cost_saved_usd: number;
}

export interface TraceQuery {
  project?: string;
  model?: string;
  key_id?: string;
  user?: string;
  session_id?: string;
  trace_id?: string;
  status?: 'ok' | 'error';
  /** Epoch ms or ISO 8601. */
  from?: number | string;
  to?: number | string;
  metadata?: Record<string, string>;
  cursor?: string;
  limit?: number;
}

export interface GatewayModel {
  name: string;
  provider: string;
  upstream_model: string;
  price: { input_per_mtok: number; output_per_mtok: number; cached_input_per_mtok?: number };
  context_window?: number;
  max_output_tokens?: number;
  licence?: string;
  tasks: string[];
  source: 'config' | 'api' | 'provider-prefix';
}

export interface PromptSummary {
  name: string;
  latest_version: number;
  /** label → version */
  labels: Record<string, number>;
  created_at: number;
  updated_at: number;
}

export interface PromptDetail extends PromptSummary {
  versions: { version: number; content_hash: string; created_at: number; created_by: string }[];
}

export type PromptRole = 'system' | 'developer' | 'user' | 'assistant';
export interface PromptMessage {
  role: PromptRole;
  content: string;
}
export interface PromptVariable {
  type: 'string' | 'number' | 'boolean' | 'json';
  required?: boolean;
  default?: unknown;
  description?: string;
}

/** Model parameters stored with a prompt (`model`, `temperature`, `max_tokens`, …). */
export type PromptParameters = Record<string, unknown> & { model?: string };

export interface PromptVersion {
  name: string;
  version: number;
  content_hash: string;
  created_at: number;
  created_by: string;
  /** Labels pointing at this version. */
  labels: string[];
  messages: PromptMessage[];
  variables: Record<string, PromptVariable>;
  parameters: PromptParameters;
  tools: unknown[];
}

export interface PushPromptInput {
  name: string;
  messages: PromptMessage[];
  variables?: Record<string, PromptVariable>;
  parameters?: PromptParameters;
  tools?: unknown[];
  /** Labels to point at the resulting version. */
  labels?: string[];
}

export interface LabelMove {
  label: string;
  from_version: number | null;
  to_version: number;
  at: number;
  actor: string;
}

export interface PushResult {
  /** false when identical content already existed (that version is returned). */
  created: boolean;
  version: PromptVersion;
  moves: LabelMove[];
}

export interface DiffLine {
  op: 'equal' | 'add' | 'remove';
  text: string;
}

export interface PromptDiff {
  from: number;
  to: number;
  identical: boolean;
  /** messages, variables, parameters, tools → lines */
  sections: Record<string, DiffLine[]>;
  text: string;
}

export interface LabelResult {
  name: string;
  label: string;
  version: number;
  moved: boolean;
  move: LabelMove | null;
}

export interface RenderedPrompt {
  name: string;
  version: number;
  label: string | null;
  messages: { role: string; content: unknown }[];
  parameters: PromptParameters;
  tools: unknown[];
}

export interface RegisteredModel {
  name: string;
  project_id: string;
  description: string | null;
  created_at: number;
  created_by: string;
  latest_version: number | null;
  /** alias → version */
  aliases: Record<string, number>;
}

export interface ModelVersion {
  model: string;
  version: number;
  kind: 'hosted' | 'self-hosted' | 'fine-tuned' | 'quantised';
  provider: string;
  upstream_model: string;
  /** The model name the gateway routes this version by. */
  serving_model: string;
  price: { input_per_mtok: number; output_per_mtok: number };
  context_window?: number;
  licence?: string;
  tasks: string[];
  fine_tuned_from?: string;
  dataset_version?: string;
  created_at: number;
  created_by: string;
  evaluations: { name: string; metric: string; value: number; at: number }[];
}

export interface RegisteredModelDetail extends RegisteredModel {
  versions: ModelVersion[];
}

/** Model parameters a deployment (or a canary's new spec) sets; a client's own value always wins. */
export interface DeploymentParameters {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  /** At most 4. */
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

export interface DeploymentSpec {
  prompt?: string | null;
  model: string;
  parameters?: DeploymentParameters;
  fallbacks?: string[];
  requires_approval?: boolean;
}

export interface AuditQuery {
  object_type?: string;
  object_id?: string;
  actor?: string;
  from?: number;
  to?: number;
  cursor?: string;
  limit?: number;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  head: string | null;
  broken?: { seq: number; reason: string };
}
