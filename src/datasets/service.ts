/** The dataset operations the API, the CLI and other modules (feedback) share. */
import { FenerError } from '../core/index.js';
import type { Dataset, DatasetVersion, Store } from '../store/index.js';
import { parseCsv } from './csv.js';
import { traceRecords, type TraceSelection } from './from-traces.js';
import { itemContentSchema, itemIdSchema, itemSplits, prepareItem, type ItemContent, type ItemSplit } from './item.js';
import { defaultLimits, parseJsonl, type ParsedLine, type SourceLimits } from './jsonl.js';
import { runPipeline, type PipelineReport } from './pipeline.js';
import { issueText } from './record.js';
import type { Pipeline } from './steps/schema.js';
import type { SplitParams } from './splits.js';
import { buildVersion, rejectionError, type BuildReport } from './version-builder.js';

export const importFormats = ['jsonl', 'csv'] as const;
export type ImportFormat = (typeof importFormats)[number];

export const datasetNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export async function createDataset(
  store: Store,
  input: { name: string; projectName?: string; description?: string; actor: string },
): Promise<Dataset> {
  if (!datasetNamePattern.test(input.name)) {
    throw new FenerError('invalid_request', 'name: letters, digits, ".", "_" and "-", at most 128', { param: 'name' });
  }
  const projectName = input.projectName ?? 'default';
  const project = await store.projects.findByName(projectName);
  if (!project) throw new FenerError('not_found', `project "${projectName}" does not exist`, { param: 'project' });
  return store.datasets.create({
    projectId: project.id,
    name: input.name,
    ...(input.description === undefined ? {} : { description: input.description }),
    actor: input.actor,
  });
}

export interface ImportOptions {
  dataset: Dataset;
  format: ImportFormat;
  source: AsyncIterable<Buffer | string>;
  /** Keep the valid records when some are refused (else nothing is written and `invalid_request` is thrown). */
  keepValid: boolean;
  /** Append to the latest version instead of replacing its items. */
  append?: boolean;
  limits?: Partial<SourceLimits>;
  /** Where the data came from, recorded as the version's source (a file name…). */
  sourceInfo?: Record<string, unknown>;
  actor: string;
  onProgress?: (accepted: number, rejected: number) => void;
}

/** Streams a JSONL or CSV source into a new version. Throws (400) with the rejected lines unless `keepValid`. */
export async function importItems(store: Store, options: ImportOptions): Promise<BuildReport> {
  const limits = { ...defaultLimits, ...options.limits };
  const records = options.format === 'jsonl' ? parseJsonl(options.source, limits) : parseCsv(options.source, limits);
  const base = options.append ? await latestOrUndefined(store, options.dataset) : undefined;
  const report = await buildVersion(store, {
    dataset: options.dataset,
    meta: {
      step: 'import',
      params: { format: options.format, keep_valid: options.keepValid, append: options.append ?? false },
      source: { kind: 'file', ...options.sourceInfo },
      actor: options.actor,
    },
    ...(base ? { base } : {}),
    records,
    keepValid: options.keepValid,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  if (report.version === null && report.rejected > 0) throw Object.assign(rejectionError(report), { report });
  return report;
}

async function latestOrUndefined(store: Store, dataset: Dataset): Promise<DatasetVersion | undefined> {
  return dataset.latestVersion === 0 ? undefined : store.datasets.version(dataset).catch(() => undefined);
}

/** Items from traces matching a filter, as a new version (traces that cannot be items are reported, not fatal). */
export async function importFromTraces(
  store: Store,
  options: {
    dataset: Dataset;
    selection: TraceSelection;
    append?: boolean;
    actor: string;
    onProgress?: (accepted: number, rejected: number) => void;
  },
): Promise<BuildReport> {
  const base = options.append ? await latestOrUndefined(store, options.dataset) : undefined;
  return buildVersion(store, {
    dataset: options.dataset,
    meta: {
      step: 'traces',
      params: { append: options.append ?? false },
      source: { kind: 'traces', filter: { ...options.selection } },
      actor: options.actor,
    },
    ...(base ? { base } : {}),
    records: traceRecords(store, options.selection),
    keepValid: true,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/** An item given in code (by the feedback module, or the API). */
export interface NewItem {
  /** Omitted: derived from the content (the same content gets the same id). */
  id?: string;
  content: ItemContent;
  split?: ItemSplit | null;
}

/**
 * Creates a new version from items given in code, with lineage. With `base`, the new version
 * is that version's items followed by `items` (an append; `base` is recorded as the parent);
 * without, it holds exactly `items`. Invalid items (bad content, duplicate ids) refuse the whole
 * call with `invalid_request` naming the item index — nothing is written. `source` is free JSON
 * recorded with the version, e.g. `{kind: 'feedback', feedback_ids: [...]}`.
 *
 * @example
 *   await createVersionFromItems(store, {
 *     dataset, base: await store.datasets.version(dataset), step: 'feedback',
 *     source: { kind: 'feedback', feedback_ids: ['fbk_1'] },
 *     items: [{ id: 'trc_1', content: { input: { messages: [{ role: 'user', content: 'Hi' }] }, expected: 'Hello!' } }],
 *     actor: principal.id,
 *   });
 */
export async function createVersionFromItems(
  store: Store,
  options: {
    dataset: Dataset;
    items: Iterable<NewItem> | AsyncIterable<NewItem>;
    base?: DatasetVersion;
    step: string;
    params?: Record<string, unknown>;
    source: Record<string, unknown>;
    actor: string;
  },
): Promise<BuildReport> {
  const report = await buildVersion(store, {
    dataset: options.dataset,
    meta: { step: options.step, params: options.params ?? {}, source: options.source, actor: options.actor },
    ...(options.base ? { base: options.base } : {}),
    records: itemsAsRecords(options.items),
    keepValid: false,
  });
  if (report.version === null) throw rejectionError(report);
  return report;
}

async function* itemsAsRecords(items: Iterable<NewItem> | AsyncIterable<NewItem>): AsyncGenerator<ParsedLine> {
  let line = 0;
  for await (const item of items) {
    line++;
    const id = item.id === undefined ? undefined : itemIdSchema.safeParse(item.id);
    const content = itemContentSchema.safeParse(item.content);
    const split = item.split === undefined || item.split === null || itemSplits.includes(item.split);
    if (id && !id.success) yield { line, result: { ok: false, reason: `item ${line}: id: ${issueText(id.error)}` } };
    else if (!content.success) yield { line, result: { ok: false, reason: `item ${line}: ${issueText(content.error)}` } };
    else if (!split) yield { line, result: { ok: false, reason: `item ${line}: split must be train, validation or test` } };
    else {
      const prepared = prepareItem(item.id, content.data);
      if (item.split !== undefined) prepared.split = item.split;
      yield { line, result: { ok: true, item: prepared } };
    }
  }
}

/** Runs a preparation pipeline over a version (the latest by default). */
export async function prepareDataset(
  store: Store,
  options: { dataset: Dataset; version?: number; pipeline: Pipeline; actor: string; onProgress?: (read: number, total: number) => void },
): Promise<PipelineReport> {
  const from = await store.datasets.version(options.dataset, options.version);
  return runPipeline(store, {
    dataset: options.dataset,
    from,
    pipeline: options.pipeline,
    actor: options.actor,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/** A split is a one-step pipeline: a recorded version whose items carry their split. */
export function splitDataset(
  store: Store,
  options: { dataset: Dataset; version?: number; params: SplitParams; actor: string; onProgress?: (read: number, total: number) => void },
): Promise<PipelineReport> {
  return prepareDataset(store, { ...options, pipeline: { steps: [{ step: 'split', ...options.params }] } });
}
