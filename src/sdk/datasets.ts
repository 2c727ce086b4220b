/** Datasets in `/api/datasets`: versions with lineage, items page by page, diffs and imports (admin key). */
import { queryString, type Transport } from './http.js';

const segment = encodeURIComponent;

export type ItemSplit = 'train' | 'validation' | 'test';

export interface Dataset {
  name: string;
  project_id: string;
  description: string | null;
  /** 0 until a first version is written. */
  latest_version: number;
  created_at: number;
  created_by: string;
  updated_at: number;
}

/** One immutable version; `parent_version`, `step`, `params` and `source` are its lineage. */
export interface DatasetVersion {
  version: number;
  parent_version: number | null;
  /** `import`, `items`, `traces`, `feedback`, or a preparation step. */
  step: string;
  params: Record<string, unknown>;
  source: Record<string, unknown>;
  stats: Record<string, unknown>;
  item_count: number;
  content_hash: string;
  created_at: number;
  created_by: string;
}

export interface DatasetDetail extends Dataset {
  /** Newest first. */
  versions: DatasetVersion[];
  /** Versions being written now (not visible until committed). */
  pending_versions: number;
}

export interface DatasetItem {
  id: string;
  position: number;
  split: ItemSplit | null;
  content_hash: string;
  /** Chat `messages` or template `variables`. */
  input: unknown;
  expected?: unknown;
  rejected?: unknown;
  metadata?: Record<string, unknown>;
}

/** A page of items; pass `next` back as `after` (null: last page). */
export interface DatasetItemPage {
  data: DatasetItem[];
  next: number | null;
}

export type DiffKind = 'added' | 'removed' | 'changed';

export interface DatasetDiff {
  from: number;
  to: number;
  counts: { added: number; removed: number; changed: number; unchanged: number };
  /** With `kind`: the ids of that kind (and the content hashes on either side). */
  items?: { id: string; from_hash: string | null; to_hash: string | null }[];
}

/** What an import (or any new version) did: `created: false` when identical content already was a version. */
export interface BuildReport {
  version: number | null;
  created: boolean;
  content_hash: string | null;
  item_count: number;
  accepted: number;
  rejected: number;
  rejected_lines: { line: number; reason: string }[];
}

export interface ImportOptions {
  format?: 'jsonl' | 'csv';
  /** Keep the valid lines when some are rejected (default: all or nothing). */
  keep_valid?: boolean;
  /** Add to the latest version instead of replacing its items. */
  append?: boolean;
  /** Recorded as the version's source. */
  filename?: string;
}

/** A version number or `latest`. */
export type VersionRef = number | 'latest';

/** The entity types the PII step (and the gateway's guardrail) detects. */
export type PiiEntityType =
  'email' | 'phone' | 'credit_card' | 'iban' | 'tr_national_id' | 'ip_address' | 'url_credentials' | 'secret' | 'person' | 'address';

/** Train / validation / test shares (adding up to 1) and the seed that, with each item's id, places it. */
export interface SplitRatios {
  seed: string | number;
  train: number;
  validation: number;
  test: number;
}

/**
 * One preparation step; each records a new version (lineage: the step and its parameters, defaults
 * filled in). Omitted fields take the server's defaults, named on each field.
 * @example const step: PreparationStep = { step: 'length', field: 'input', max_chars: 4000 };
 */
export type PreparationStep =
  /** Unicode form (default NFKC) and, by default, whitespace collapsed and zero-width characters dropped. */
  | { step: 'normalize'; form?: 'NFC' | 'NFKC'; whitespace?: boolean }
  /** Exact duplicates, the first kept; `scope` default `input+output`. */
  | { step: 'dedupe'; scope?: 'input' | 'input+output' }
  /** MinHash LSH near-duplicates (defaults: 8 bands × 8 rows, word 3-shingles, seed 1). */
  | { step: 'near_dedupe'; bands?: number; rows?: number; shingle?: 'word' | 'char'; size?: number; seed?: number }
  /** Keeps items within the bounds (at least one bound); `field` default `all`. */
  | {
      step: 'length';
      field?: 'input' | 'expected' | 'all';
      min_chars?: number;
      max_chars?: number;
      min_tokens?: number;
      max_tokens?: number;
    }
  /** Keeps items in the allowed ISO 639-3 languages; texts under `min_length` (20) are undetermined, kept by default. */
  | { step: 'language'; allow: string[]; min_length?: number; keep_undetermined?: boolean }
  /** Redacts PII (`mask` by default; `hash` pseudonymises with `salt`); all types unless `types`. */
  | { step: 'pii'; mode?: 'mask' | 'hash' | 'remove'; types?: PiiEntityType[]; salt?: string }
  /** Renders a stored prompt with each item's variables (`label` or `version`); `on_error` default `fail`. */
  | { step: 'template'; prompt: string; label?: string; version?: number; on_error?: 'fail' | 'drop' }
  | ({ step: 'split' } & SplitRatios);

/** What a preparation pipeline or a split did: one new version per step. */
export interface PipelineReport {
  from_version: number;
  final_version: number;
  steps: { step: string; version: number; created: boolean; item_count: number; dropped: number; stats: Record<string, unknown> }[];
}

export interface DatasetsApi {
  list(query?: { project?: string }): Promise<{ data: Dataset[] }>;
  get(name: string): Promise<DatasetDetail>;
  create(input: { name: string; project?: string; description?: string }): Promise<Dataset>;
  /** A version with its lineage back to the first one (nearest first). */
  version(name: string, version: VersionRef): Promise<DatasetVersion & { lineage: DatasetVersion[] }>;
  items(name: string, version: VersionRef, query?: { after?: number; limit?: number; split?: ItemSplit }): Promise<DatasetItemPage>;
  /** Counts of added, removed and changed items; with `kind`, the ids of that kind too. */
  diff(name: string, query: { from: VersionRef; to: VersionRef; kind?: DiffKind; after?: string; limit?: number }): Promise<DatasetDiff>;
  /** JSONL (or CSV) text as a new version; rejected lines come back with their numbers. */
  importText(name: string, text: string, options?: ImportOptions): Promise<BuildReport>;
  /** A version as a JSONL (default) or CSV file's text, optionally one split only. */
  exportText(name: string, version: VersionRef, query?: { format?: 'jsonl' | 'csv'; split?: ItemSplit }): Promise<string>;
  /** Runs preparation steps (normalize, dedupe, near_dedupe, length, language, pii, split…) over a version (default latest). */
  prepare(
    name: string,
    input: { version?: VersionRef } & ({ steps: PreparationStep[] } | { pipeline_yaml: string }),
  ): Promise<PipelineReport>;
  /** Assigns train / validation / test by seed and item id, stable across versions; ratios add up to 1. */
  split(name: string, input: { version?: VersionRef } & SplitRatios): Promise<PipelineReport>;
}

/**
 * @example
 * const report = await fener.datasets.importText('qa', '{"id":"q1","messages":[{"role":"user","content":"Hi"}]}\n');
 * const diff = await fener.datasets.diff('qa', { from: 1, to: 'latest', kind: 'added' });
 */
export function datasetsApi(http: Transport): DatasetsApi {
  return {
    list: (query = {}) => http.request('GET', `/api/datasets${queryString(query)}`),
    get: (name) => http.request('GET', `/api/datasets/${segment(name)}`),
    create: (input) => http.request('POST', '/api/datasets', { body: input }),
    version: (name, version) => http.request('GET', `/api/datasets/${segment(name)}/versions/${version}`),
    items: (name, version, query = {}) =>
      http.request('GET', `/api/datasets/${segment(name)}/versions/${version}/items${queryString({ ...query })}`),
    diff: (name, query) => http.request('GET', `/api/datasets/${segment(name)}/diff${queryString({ ...query })}`),
    exportText: (name, version, query = {}) =>
      http.download(`/api/datasets/${segment(name)}/versions/${version}/export${queryString({ ...query })}`),
    prepare: (name, input) => http.request('POST', `/api/datasets/${segment(name)}/prepare`, { body: input }),
    split: (name, input) => http.request('POST', `/api/datasets/${segment(name)}/split`, { body: input }),
    importText: (name, text, options = {}) => {
      const { keep_valid: keepValid, append, ...rest } = options;
      const query = queryString({
        ...rest,
        ...(keepValid === undefined ? {} : { keep_valid: keepValid }),
        ...(append === undefined ? {} : { append }),
      });
      const contentType = options.format === 'csv' ? 'text/csv' : 'application/x-ndjson';
      return http.request('POST', `/api/datasets/${segment(name)}/import${query}`, { text: { body: text, contentType } });
    },
  };
}
