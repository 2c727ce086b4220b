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
export { RevisionWatcher } from './revision-watcher.js';
export type { RevisionWatcherOptions } from './revision-watcher.js';
export { canonicalJson } from './audit.js';
export type { AuditAction, AuditEntry, AuditFilter, AuditInput, AuditPage, AuditVerification } from './audit.js';
export { servingModelName } from './registry.js';
export type { Evaluation, ModelVersion, ModelVersionInput, ModelVersionKind, RegisteredModel, RegistryServingTable } from './registry.js';
export type { ActiveDeployment, Deployment, DeploymentSpec, DeploymentVersion, StoredPolicy } from './deployments.js';
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
