/**
 * Datasets: items with immutable, content-hashed versions and lineage; streaming import and
 * export (JSONL, CSV); items from traces; preparation pipelines; deterministic splits;
 * fine-tuning exports; embeddings through the gateway.
 *
 * For other modules (feedback → datasets), the entry point is `createVersionFromItems`:
 *
 *   const dataset = await store.datasets.require('support-prefs');
 *   const base = dataset.latestVersion > 0 ? await store.datasets.version(dataset) : undefined;
 *   const report = await createVersionFromItems(store, {
 *     dataset, base, step: 'feedback', source: { kind: 'feedback', feedback_ids },
 *     items: [{ id: traceId, content: { input: { messages }, expected: chosen, rejected } }],
 *     actor: principal.id,
 *   });
 *   // report.version: the new version (parent: base.version), or the existing identical one
 *
 * Items given without an id get one derived from their content; a given id already in the
 * version (e.g. in `base`) refuses the call, as does invalid content — nothing is written then.
 * A preference pair is an item with `expected` (chosen) and `rejected`; `exportFinetune` with
 * format `preference` or `openai-dpo` writes it out.
 */
export {
  hashBody,
  inputText,
  itemContentSchema,
  itemIdSchema,
  itemMessageSchema,
  itemRoles,
  itemSplits,
  itemText,
  parseBody,
  prepareItem,
} from './item.js';
export type { DatasetItem, ItemContent, ItemMessage, ItemOutput, ItemRole, ItemSplit, PreparedItem } from './item.js';
export { defaultLimits, formatBytes, parseJsonl, tooLarge } from './jsonl.js';
export type { ParsedLine, SourceLimits } from './jsonl.js';
export { parseCsv } from './csv.js';
export { parseRecord } from './record.js';
export { exportFormats, exportStream, jsonlRecord } from './export.js';
export type { ExportFormat } from './export.js';
export { finetuneFormats, finetuneStream, toExample, validateFinetune } from './finetune.js';
export type { FinetuneFormat, FinetuneReport } from './finetune.js';
export { resolveFinetuneTarget } from './finetune-target.js';
export type { FinetuneTarget } from './finetune-target.js';
export { embedVersion, searchVersion } from './embed.js';
export type { EmbedReport, SearchHit } from './embed.js';
export { collisionProbability, defaultMinHashParams, estimateJaccard, MinHasher, NearDuplicateIndex } from './minhash.js';
export type { MinHashParams } from './minhash.js';
export { assignSplit, ratiosAddUp, splitParamsSchema, splitPoint, splitShape } from './splits.js';
export type { SplitParams } from './splits.js';
export { parsePipeline, validatePipeline } from './pipeline.js';
export type { PipelineReport, StepReport } from './pipeline.js';
export { stepNames, stepSchema } from './steps/schema.js';
export type { Pipeline, StepDefinition, StepName } from './steps/schema.js';
export { normaliseText } from './steps/steps.js';
export type { TraceSelection } from './from-traces.js';
export type { BuildReport, RejectedLine } from './version-builder.js';
export {
  createDataset,
  createVersionFromItems,
  datasetNamePattern,
  importFormats,
  importFromTraces,
  importItems,
  prepareDataset,
  splitDataset,
} from './service.js';
export type { ImportFormat, ImportOptions, NewItem } from './service.js';
