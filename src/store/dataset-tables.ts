/**
 * Tables of datasets (migration 0007_datasets). Types and DDL live together here; schema.ts
 * merges the types into `Database`.
 *
 * Storage design, chosen so that 1,000,000 items per version stay cheap on SQLite and Postgres:
 * - `dataset_contents` holds each distinct item body once per dataset, keyed by its SHA-256
 *   (content addressing). A version that keeps an item unchanged (a dedupe, a filter, a split)
 *   shares the body with its parent instead of copying it.
 * - `dataset_version_items` is the ordered membership of a version: one narrow row per item
 *   (position, item id, content hash, split). That is all a new version copies.
 * - A version is written while `pending` (invisible to readers) in batches of small transactions,
 *   so a long import never holds the database's write lock; it becomes `ready` in one final
 *   transaction, or is deleted (with the bodies only it brought) when it fails.
 */
import type { Kysely } from 'kysely';

export interface DatasetsTable {
  id: string;
  project_id: string;
  name: string;
  description: string | null;
  /** The highest version number handed out; numbers are never reused. */
  latest_version: number;
  created_at: number;
  created_by: string;
  updated_at: number;
}

export interface DatasetVersionsTable {
  id: string;
  dataset_id: string;
  /** Null while pending: a number is given only to a version that is committed. */
  version: number | null;
  /** `pending` (being written, invisible) or `ready`. */
  status: string;
  /** The version of the same dataset this one was made from (lineage); null for a first import. */
  parent_version: number | null;
  /** What produced it: `import`, `traces`, `items`, or a pipeline step such as `normalize`. */
  step: string;
  /** JSON object: the step's parameters. */
  params: string;
  /** JSON object: where the data came from (a file, a trace filter, feedback ids…). */
  source: string;
  /** JSON object: what the step did (rows read, dropped by reason…). */
  stats: string;
  item_count: number;
  /** `sha256:` of the ordered (id, split, content hash) list; null while pending. */
  content_hash: string | null;
  created_at: number;
  created_by: string;
  /** Touched by every batch while pending, so that a crashed writer's leftovers can be told apart. */
  updated_at: number;
}

export interface DatasetVersionItemsTable {
  version_id: string;
  position: number;
  item_id: string;
  content_hash: string;
  /** `train`, `validation`, `test`, or null before a split. */
  split: string | null;
}

export interface DatasetContentsTable {
  dataset_id: string;
  content_hash: string;
  /** Canonical JSON of `{input, expected, rejected, metadata}`. */
  body: string;
  /** The version that first stored this body: used to clean up after a discarded version. */
  origin_version: string;
}

export interface DatasetEmbeddingsTable {
  dataset_id: string;
  model: string;
  content_hash: string;
  dimensions: number;
  /** Little-endian float32 values, base64: compact and the same on both dialects. */
  vector: string;
  created_at: number;
}

export interface DatasetTables {
  datasets: DatasetsTable;
  dataset_versions: DatasetVersionsTable;
  dataset_version_items: DatasetVersionItemsTable;
  dataset_contents: DatasetContentsTable;
  dataset_embeddings: DatasetEmbeddingsTable;
}

/** Migration `0007_datasets`. */
export async function createDatasetTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('datasets')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    // One namespace, like prompts, registry models and deployments: `fener datasets show NAME`.
    .addColumn('name', 'text', (column) => column.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('latest_version', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('dataset_versions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('dataset_id', 'text', (column) => column.notNull().references('datasets.id'))
    .addColumn('version', 'integer')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('parent_version', 'integer')
    .addColumn('step', 'text', (column) => column.notNull())
    .addColumn('params', 'text', (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('stats', 'text', (column) => column.notNull())
    .addColumn('item_count', 'integer', (column) => column.notNull())
    .addColumn('content_hash', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    // NULLs are distinct on both dialects: many pending versions, one row per committed number.
    .addUniqueConstraint('dataset_versions_number', ['dataset_id', 'version'])
    .execute();
  await db.schema.createIndex('dataset_versions_hash').on('dataset_versions').columns(['dataset_id', 'content_hash']).execute();
  await db.schema
    .createTable('dataset_version_items')
    .addColumn('version_id', 'text', (column) => column.notNull())
    .addColumn('position', 'integer', (column) => column.notNull())
    .addColumn('item_id', 'text', (column) => column.notNull())
    .addColumn('content_hash', 'text', (column) => column.notNull())
    .addColumn('split', 'text')
    .addPrimaryKeyConstraint('dataset_version_items_pk', ['version_id', 'position'])
    .execute();
  await db.schema.createIndex('dataset_version_items_id').on('dataset_version_items').columns(['version_id', 'item_id']).unique().execute();
  await db.schema
    .createTable('dataset_contents')
    .addColumn('dataset_id', 'text', (column) => column.notNull())
    .addColumn('content_hash', 'text', (column) => column.notNull())
    .addColumn('body', 'text', (column) => column.notNull())
    .addColumn('origin_version', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('dataset_contents_pk', ['dataset_id', 'content_hash'])
    .execute();
  await db.schema.createIndex('dataset_contents_origin').on('dataset_contents').columns(['origin_version']).execute();
  await db.schema
    .createTable('dataset_embeddings')
    .addColumn('dataset_id', 'text', (column) => column.notNull())
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('content_hash', 'text', (column) => column.notNull())
    .addColumn('dimensions', 'integer', (column) => column.notNull())
    .addColumn('vector', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('dataset_embeddings_pk', ['dataset_id', 'model', 'content_hash'])
    .execute();
}
