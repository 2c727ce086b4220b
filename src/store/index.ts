export { openStore } from './store.js';
export type { Dialect, MigrationReport, Store, StoreOptions } from './store.js';
export { hashKey } from './keys.js';
export type { ApiKey, KeyKind } from './keys.js';
export type { Project } from './projects.js';
export { budgetPeriods } from './limit-settings.js';
export type { Budget, BudgetPeriod, LimitSettingsUpdate, RateLimits } from './limit-settings.js';
export type { ModelInput, StoredModel } from './models.js';
export type { RevisionTopic } from './revisions.js';
export type { LabelMove, PromptDetail, PromptDocument, PromptSummary, PromptVersion, PushResult } from './prompts.js';
export type { Trace, TraceFilter, TracePage, TraceRow } from './traces.js';
export { bucketMs } from './trace-stats.js';
export type { StatsBucket, StatsGroupBy, StatsPoint, StatsSummary, StatsWindow, TopError } from './trace-stats.js';
export { deploymentOf } from './trace-stats-migration.js';
export { histogramRelativeError } from './latency-histogram.js';
export { RevisionWatcher } from './revision-watcher.js';
export type { RevisionWatcherOptions } from './revision-watcher.js';
export { canonicalJson } from './audit.js';
export type { AuditAction, AuditEntry, AuditFilter, AuditInput, AuditPage, AuditVerification } from './audit.js';
export { servingModelName } from './registry.js';
export type { Evaluation, ModelVersion, ModelVersionInput, ModelVersionKind, RegisteredModel, RegistryServingTable } from './registry.js';
export type { ActiveDeployment, Deployment, DeploymentSpec, DeploymentVersion, StoredPolicy } from './deployments.js';
export { resultKey } from './evals.js';
export type { EvalResult, EvalRun, EvalRunStatus, OnlineEvaluatorRecord, OnlineScore, TraceForEvaluation } from './evals.js';
export type {
  Feedback,
  FeedbackFilter,
  FeedbackInput,
  FeedbackKind,
  FeedbackPage,
  FeedbackSummary,
  PreferenceSide,
  ScoreDefinition,
  ScoreDefinitionInput,
  ScoreKind,
} from './feedback.js';
export type {
  AnnotationItem,
  AnnotationQueue,
  QueueAssignment,
  QueueItemInput,
  QueueProgress,
  QueueRating,
  QueueSourceKind,
} from './feedback-queues.js';
export { decodeVector, encodeVector } from './datasets.js';
export type { Dataset, DatasetVersion, DiffEntry, ItemPage, StoredItem, VersionDiffCounts } from './datasets.js';
export { writeBatchRows } from './dataset-writer.js';
export type { CommitResult, DatasetSplit, VersionMeta, VersionWriter, WriterItem } from './dataset-writer.js';
export type {
  ActiveCanary,
  Canary,
  CanaryCountIncrement,
  CanaryCounts,
  CanaryDecision,
  CanaryStatus,
  CanaryVariant,
  CanaryVariantInput,
  PromotionRequest,
} from './canaries.js';
