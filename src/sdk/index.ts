/** Fener's TypeScript SDK (imports only core). */
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
export { PromptClient } from './prompts.js';
export type { Prompt, PromptClientOptions, PromptData, PromptSelector } from './prompts.js';
