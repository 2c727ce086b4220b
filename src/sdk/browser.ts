/**
 * The browser-safe part of the SDK: the typed `/api` client (no Node modules, not even through
 * core), which the web console bundles. `index.ts` adds the Node-side helpers (PromptClient).
 */
export { FenerClient } from './client.js';
export type { ChatCompletion, ChatRequest, FenerClientOptions } from './client.js';
export { FenerApiError } from './http.js';
export { canaryVariantStats } from './canary.js';
export type {
  Canary,
  CanaryApi,
  CanaryComparison,
  CanaryCounts,
  CanaryEvaluation,
  CanaryStatus,
  CanaryStatusName,
  CanaryTest,
  CanaryVariantStats,
} from './canary.js';
export type {
  BuildReport,
  Dataset,
  DatasetDetail,
  DatasetDiff,
  DatasetItem,
  DatasetItemPage,
  DatasetVersion,
  DatasetsApi,
  DiffKind,
  ImportOptions,
  ItemSplit,
  VersionRef,
} from './datasets.js';
export type {
  CompareInput,
  EvalResult,
  EvalResultPage,
  EvalRun,
  EvalsApi,
  ExperimentEntry,
  ItemDifference,
  MeanInterval,
  PairedComparison,
  RunComparison,
  RunStatus,
  RunSummary,
  VariantSummary,
} from './evals.js';
export type {
  AnnotationItem,
  AnnotationQueue,
  Feedback,
  FeedbackApi,
  FeedbackKind,
  FeedbackQuery,
  FeedbackSummary,
  FeedbackValue,
  QueueProgress,
  QueuesApi,
  ScoreAgreement,
  ScoreDefinition,
} from './feedback.js';
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
