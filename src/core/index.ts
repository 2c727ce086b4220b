export { FenerError, errorCatalogue, isFenerError, toApiErrorBody, toOpenAIErrorBody } from './errors.js';
export type { ApiErrorBody, ErrorCode, FenerErrorOptions, OpenAIErrorBody } from './errors.js';
export { newId, newSecret, randomToken } from './ids.js';
export type { Id, IdPrefix, KeyId, ProjectId, RequestId, TraceId } from './ids.js';
export { configSchema, fallbackTriggers, groupSchema, modelSchema, modelTasks, providerSchema } from './config.js';
export type {
  FallbackTrigger,
  FenerConfig,
  FenerConfigInput,
  GroupConfig,
  ModelConfig,
  ModelPrice,
  ModelTask,
  ProviderConfig,
} from './config.js';
export { ConfigError, loadConfig } from './load-config.js';
export type { LoadConfigOptions } from './load-config.js';
export { cacheConfigSchema, semanticCacheConfigSchema } from './cache-config.js';
export type { CacheConfig, CacheConfigInput, SemanticCacheConfig } from './cache-config.js';
export { experimentSchema, judgeSchema, metricSpecSchema, variantParametersSchema, variantSchema } from './experiment.js';
export type {
  ExperimentDefinition,
  ExperimentInput,
  JudgeDefinition,
  JudgeInput,
  MetricSpec,
  MetricSpecInput,
  VariantInput,
  VariantParameters,
} from './experiment.js';
export { matchesType, placeholderPattern, renderTemplate, variableTypes } from './prompt-render.js';
export type { TemplateMessage, TemplateVariable, VariableType } from './prompt-render.js';
export type {
  AnnotationItem,
  AnnotationQueue,
  AuditEntry,
  Canary,
  CanaryDecision,
  CanaryStatusName,
  CanaryVariant,
  Deployment,
  DeploymentSpec,
  DeploymentVersion,
  Feedback,
  FeedbackKind,
  FeedbackSummary,
  GateResult,
  ItemDifference,
  MeanInterval,
  MetricInfo,
  PairedComparison,
  PreferenceSide,
  PromotionRequest,
  QueueAssignment,
  QueueProgress,
  QueueSourceKind,
  RunComparison,
  RunSummary,
  ScoreAgreement,
  ScoreDefinition,
  ScoreKind,
  StatsBucket,
  StatsGroupBy,
  StatsPoint,
  StatsSummary,
  TopError,
  VariantSummary,
} from './contracts.js';
