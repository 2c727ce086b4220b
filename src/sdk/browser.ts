/**
 * The browser-safe part of the SDK: the typed `/api` client (no Node modules, not even through
 * core), which the web console bundles. `index.ts` adds the Node-side helpers (PromptClient).
 */
export { FenerClient } from './client.js';
export type { ChatCompletion, ChatRequest, FenerClientOptions } from './client.js';
export { FenerApiError } from './http.js';
export type { FetchLike } from './http.js';
export type { StatsBucket, StatsGroupBy, StatsPoint, StatsQuery, StatsSummary, StatsTimeseries, StatsWindow, TopError } from './stats.js';
export type {
  ApiKey,
  AuditEntry,
  AuditQuery,
  AuditVerification,
  Budget,
  BudgetPeriod,
  CreateKeyInput,
  CreatedKey,
  Deployment,
  DeploymentSpec,
  DeploymentVersion,
  DiffLine,
  GatewayModel,
  KeyLimitsPatch,
  LabelMove,
  LabelResult,
  Limits,
  ModelVersion,
  Page,
  Project,
  PromptDetail,
  PromptDiff,
  PromptMessage,
  PromptParameters,
  PromptSummary,
  PromptVariable,
  PromptVersion,
  PushPromptInput,
  PushResult,
  RegisteredModel,
  RegisteredModelDetail,
  RenderedPrompt,
  Session,
  Trace,
  TraceQuery,
} from './types.js';
