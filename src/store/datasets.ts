/**
 * Datasets: named collections of items with immutable, numbered, content-hashed versions and
 * their lineage. The store does not interpret item bodies (the datasets module validates,
 * canonicalises and hashes them); it keeps versions immutable, shares bodies between versions by
 * content hash, and reads large versions in pages so memory stays bounded. See dataset-tables.ts
 * for the layout and dataset-writer.ts for how a version is written without ever being half-visible.
 */
import { sql, type Kysely } from 'kysely';
import { FenerError, newId } from '../core/index.js';
import type { AuditRepository } from './audit.js';
import type { DatasetVersionsTable } from './dataset-tables.js';
import { deletePendingVersion, VersionWriter, type DatasetSplit, type VersionMeta } from './dataset-writer.js';
import type { Database } from './schema.js';

export interface Dataset {
  id: string;
  projectId: string;
  name: string;
  description: string | null;
  latestVersion: number;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
}

export interface DatasetVersion {
  id: string;
  datasetId: string;
  version: number;
  parentVersion: number | null;
  step: string;
  params: Record<string, unknown>;
  source: Record<string, unknown>;
  stats: Record<string, unknown>;
  itemCount: number;
  contentHash: string;
  createdAt: number;
  createdBy: string;
}

/** An item as stored: its id, place, split, content hash and body (canonical JSON text). */
export interface StoredItem {
  position: number;
  id: string;
  contentHash: string;
  split: DatasetSplit | null;
  body: string;
}

export interface ItemPage {
  data: StoredItem[];
  /** Position to pass as `after` for the next page; null at the end. */
  next: number | null;
}

export interface VersionDiffCounts {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
}

export interface DiffEntry {
  id: string;
  fromHash: string | null;
  toHash: string | null;
}

/** A writer left pending this long without writing a batch is taken for dead and cleaned up. */
const stalePendingMs = 15 * 60_000;
const readPageRows = 1000;

/** Dataset ids are time-sortable like core's ids; their prefixes (`dst`, `dsv`) are local to datasets. */
function datasetId(prefix: 'dst' | 'dsv'): string {
  return `${prefix}_${newId('mdl').slice('mdl_'.length)}`;
}

export class DatasetRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditRepository,
  ) {}

  async create(input: { projectId: string; name: string; description?: string; actor: string }): Promise<Dataset> {
    return this.audit.change(async (trx) => {
      const existing = await trx.selectFrom('datasets').select('id').where('name', '=', input.name).executeTakeFirst();
      if (existing) throw new FenerError('conflict', `dataset "${input.name}" already exists`, { param: 'name' });
      const now = Date.now();
      const row = {
        id: datasetId('dst'),
        project_id: input.projectId,
        name: input.name,
        description: input.description ?? null,
        latest_version: 0,
        created_at: now,
        created_by: input.actor,
        updated_at: now,
      };
      await trx.insertInto('datasets').values(row).execute();
      const dataset = toDataset(row);
      return {
        result: dataset,
        audit: [{ actor: input.actor, action: 'dataset.create', objectType: 'dataset', objectId: input.name, before: null, after: row }],
      };
    });
  }

  async get(name: string): Promise<Dataset | undefined> {
    const row = await this.db.selectFrom('datasets').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toDataset(row);
  }

  async require(name: string): Promise<Dataset> {
    const dataset = await this.get(name);
    if (!dataset) throw new FenerError('not_found', `no dataset named "${name}"`, { param: 'name' });
    return dataset;
  }

  async list(filter: { projectId?: string } = {}): Promise<Dataset[]> {
    let query = this.db.selectFrom('datasets').selectAll();
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    return (await query.orderBy('name').execute()).map(toDataset);
  }

  /** Committed versions, newest first. */
  async versions(datasetId: string): Promise<DatasetVersion[]> {
    const rows = await this.db
      .selectFrom('dataset_versions')
      .selectAll()
      .where('dataset_id', '=', datasetId)
      .where('status', '=', 'ready')
      .orderBy('version', 'desc')
      .execute();
    return rows.map(toVersion);
  }

  /** A committed version; `latest` when no number is given. Throws `not_found`. */
  async version(dataset: Dataset, version?: number): Promise<DatasetVersion> {
    let query = this.db.selectFrom('dataset_versions').selectAll().where('dataset_id', '=', dataset.id).where('status', '=', 'ready');
    query = version === undefined ? query.orderBy('version', 'desc') : query.where('version', '=', version);
    const row = await query.executeTakeFirst();
    if (!row) {
      const what = version === undefined ? 'no versions yet' : `no version ${version}`;
      throw new FenerError('not_found', `dataset "${dataset.name}" has ${what}`, { param: 'version' });
    }
    return toVersion(row);
  }

  /** Starts a pending version; also removes versions that crashed writers left pending. */
  async startVersion(dataset: Dataset, meta: VersionMeta): Promise<VersionWriter> {
    await this.cleanupStale(dataset.id);
    const now = Date.now();
    const id = datasetId('dsv');
    await this.db
      .insertInto('dataset_versions')
      .values({
        id,
        dataset_id: dataset.id,
        version: null,
        status: 'pending',
        parent_version: meta.parentVersion,
        step: meta.step,
        params: JSON.stringify(meta.params),
        source: JSON.stringify(meta.source),
        stats: '{}',
        item_count: 0,
        content_hash: null,
        created_at: now,
        created_by: meta.actor,
        updated_at: now,
      })
      .execute();
    return new VersionWriter({ db: this.db, audit: this.audit, versionId: id, dataset: { id: dataset.id, name: dataset.name }, meta });
  }

  /** Versions pending (being written) right now, e.g. to show an import in progress. */
  async pendingCount(datasetId: string): Promise<number> {
    const row = await this.db
      .selectFrom('dataset_versions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('dataset_id', '=', datasetId)
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  private async cleanupStale(datasetId: string): Promise<void> {
    const stale = await this.db
      .selectFrom('dataset_versions')
      .select('id')
      .where('dataset_id', '=', datasetId)
      .where('status', '=', 'pending')
      .where('updated_at', '<', Date.now() - stalePendingMs)
      .execute();
    for (const row of stale) await deletePendingVersion(this.db, datasetId, row.id);
  }

  /** One page of a version's items in order, after position `after`, optionally of one split. */
  async items(versionId: string, options: { after?: number; limit?: number; split?: DatasetSplit } = {}): Promise<ItemPage> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), readPageRows);
    let query = this.db
      .selectFrom('dataset_version_items as member')
      .innerJoin('dataset_versions as owner', 'owner.id', 'member.version_id')
      .innerJoin('dataset_contents as content', (join) =>
        join.onRef('content.dataset_id', '=', 'owner.dataset_id').onRef('content.content_hash', '=', 'member.content_hash'),
      )
      .select(['member.position', 'member.item_id', 'member.content_hash', 'member.split', 'content.body'])
      .where('member.version_id', '=', versionId)
      .where('member.position', '>', options.after ?? 0);
    if (options.split !== undefined) query = query.where('member.split', '=', options.split);
    const rows = await query
      .orderBy('member.position')
      .limit(limit + 1)
      .execute();
    const data = rows.slice(0, limit).map((row) => ({
      position: Number(row.position),
      id: row.item_id,
      contentHash: row.content_hash,
      split: row.split as DatasetSplit | null,
      body: row.body,
    }));
    return { data, next: rows.length > limit ? (data.at(-1)?.position ?? null) : null };
  }

  /** Items of a version by id (at most 1000 ids), in no particular order. */
  async itemsById(versionId: string, ids: readonly string[]): Promise<StoredItem[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('dataset_version_items as member')
      .innerJoin('dataset_versions as owner', 'owner.id', 'member.version_id')
      .innerJoin('dataset_contents as content', (join) =>
        join.onRef('content.dataset_id', '=', 'owner.dataset_id').onRef('content.content_hash', '=', 'member.content_hash'),
      )
      .select(['member.position', 'member.item_id', 'member.content_hash', 'member.split', 'content.body'])
      .where('member.version_id', '=', versionId)
      .where('member.item_id', 'in', ids.slice(0, readPageRows))
      .execute();
    return rows.map((row) => ({
      position: Number(row.position),
      id: row.item_id,
      contentHash: row.content_hash,
      split: row.split as DatasetSplit | null,
      body: row.body,
    }));
  }

  /** Every item of a version in order, a page at a time: memory stays bounded whatever the size. */
  async *iterate(versionId: string, options: { split?: DatasetSplit; pageSize?: number } = {}): AsyncGenerator<StoredItem[]> {
    let after = 0;
    for (;;) {
      const page = await this.items(versionId, {
        after,
        limit: options.pageSize ?? readPageRows,
        ...(options.split ? { split: options.split } : {}),
      });
      if (page.data.length > 0) yield page.data;
      if (page.next === null) return;
      after = page.next;
    }
  }

  /** Counts of items added, removed, changed (same id, other content) and unchanged from `from` to `to`. */
  async diffCounts(fromId: string, toId: string): Promise<VersionDiffCounts> {
    const count = async (direction: 'added' | 'removed' | 'changed'): Promise<number> => {
      const row = await this.diffQuery(fromId, toId, direction)
        .clearSelect()
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    };
    const [added, removed, changed, total] = await Promise.all([
      count('added'),
      count('removed'),
      count('changed'),
      this.db
        .selectFrom('dataset_version_items')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('version_id', '=', toId)
        .executeTakeFirstOrThrow(),
    ]);
    return { added, removed, changed, unchanged: Number(total.count) - added - changed };
  }

  /** Item ids of one kind of change, in id order, after `afterId`. */
  async diffEntries(
    fromId: string,
    toId: string,
    options: { kind: 'added' | 'removed' | 'changed'; afterId?: string; limit?: number },
  ): Promise<DiffEntry[]> {
    let query = this.diffQuery(fromId, toId, options.kind);
    if (options.afterId !== undefined) query = query.where('base.item_id', '>', options.afterId);
    const rows = await query
      .orderBy('base.item_id')
      .limit(Math.min(options.limit ?? 100, readPageRows))
      .execute();
    return rows.map((row) => ({
      id: row.item_id,
      fromHash: options.kind === 'added' ? null : options.kind === 'removed' ? row.content_hash : row.other_hash,
      toHash: options.kind === 'removed' ? null : row.content_hash,
    }));
  }

  /**
   * `added`: in `to`, not in `from`; `removed`: the reverse; `changed`: in both with other content.
   * The base side is `to` except for `removed`. Uses the (version_id, item_id) index on both sides.
   */
  private diffQuery(fromId: string, toId: string, kind: 'added' | 'removed' | 'changed') {
    const [baseId, otherId] = kind === 'removed' ? [fromId, toId] : [toId, fromId];
    const base = this.db
      .selectFrom('dataset_version_items as base')
      .leftJoin('dataset_version_items as other', (join) =>
        join.onRef('other.item_id', '=', 'base.item_id').on('other.version_id', '=', otherId),
      )
      .select(['base.item_id', 'base.content_hash', 'other.content_hash as other_hash'])
      .where('base.version_id', '=', baseId);
    return kind === 'changed'
      ? base.where('other.item_id', 'is not', null).whereRef('other.content_hash', '<>', 'base.content_hash')
      : base.where('other.item_id', 'is', null);
  }

  /** Stores vectors (keyed by content: one vector per distinct body and model). */
  async putEmbeddings(datasetId: string, model: string, rows: { contentHash: string; vector: Float32Array }[]): Promise<void> {
    if (rows.length === 0) return;
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      for (let start = 0; start < rows.length; start += 500) {
        await trx
          .insertInto('dataset_embeddings')
          .values(
            rows.slice(start, start + 500).map((row) => ({
              dataset_id: datasetId,
              model,
              content_hash: row.contentHash,
              dimensions: row.vector.length,
              vector: encodeVector(row.vector),
              created_at: now,
            })),
          )
          .onConflict((conflict) => conflict.columns(['dataset_id', 'model', 'content_hash']).doNothing())
          .execute();
      }
    });
  }

  /** Which of these content hashes already have a vector for `model`. */
  async embeddedHashes(datasetId: string, model: string, hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('dataset_embeddings')
      .select('content_hash')
      .where('dataset_id', '=', datasetId)
      .where('model', '=', model)
      .where('content_hash', 'in', [...hashes])
      .execute();
    return new Set(rows.map((row) => row.content_hash));
  }

  /** The vectors of a version's items for `model`, a page at a time, in item order. */
  async *iterateEmbeddings(
    dataset: Dataset,
    versionId: string,
    model: string,
  ): AsyncGenerator<{ id: string; contentHash: string; vector: Float32Array }[]> {
    let after = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('dataset_version_items as member')
        .innerJoin('dataset_embeddings as embedding', (join) =>
          join
            .onRef('embedding.content_hash', '=', 'member.content_hash')
            .on('embedding.dataset_id', '=', dataset.id)
            .on('embedding.model', '=', model),
        )
        .select(['member.position', 'member.item_id', 'member.content_hash', 'embedding.vector'])
        .where('member.version_id', '=', versionId)
        .where('member.position', '>', after)
        .orderBy('member.position')
        .limit(readPageRows)
        .execute();
      if (rows.length === 0) return;
      yield rows.map((row) => ({ id: row.item_id, contentHash: row.content_hash, vector: decodeVector(row.vector) }));
      after = Number(rows.at(-1)?.position ?? after);
    }
  }

  /** Number of a version's items that have a vector for `model`. */
  async embeddedCount(dataset: Dataset, versionId: string, model: string): Promise<number> {
    const row = await this.db
      .selectFrom('dataset_version_items as member')
      .innerJoin('dataset_embeddings as embedding', (join) =>
        join
          .onRef('embedding.content_hash', '=', 'member.content_hash')
          .on('embedding.dataset_id', '=', dataset.id)
          .on('embedding.model', '=', model),
      )
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('member.version_id', '=', versionId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Deletes a dataset with every version, body and vector; recorded in the audit log. */
  async delete(name: string, actor: string): Promise<void> {
    const dataset = await this.require(name);
    await this.audit.change(async (trx) => {
      const versions = trx.selectFrom('dataset_versions').select('id').where('dataset_id', '=', dataset.id);
      await trx.deleteFrom('dataset_version_items').where('version_id', 'in', versions).execute();
      await trx.deleteFrom('dataset_contents').where('dataset_id', '=', dataset.id).execute();
      await trx.deleteFrom('dataset_embeddings').where('dataset_id', '=', dataset.id).execute();
      await trx.deleteFrom('dataset_versions').where('dataset_id', '=', dataset.id).execute();
      await trx.deleteFrom('datasets').where('id', '=', dataset.id).execute();
      return {
        result: undefined,
        audit: [
          {
            actor,
            action: 'dataset.delete',
            objectType: 'dataset',
            objectId: name,
            before: { id: dataset.id, latest_version: dataset.latestVersion },
            after: null,
          },
        ],
      };
    });
  }

  /** Rows in the bodies table of a dataset (to check that versions share bodies rather than copy them). */
  async storedBodies(datasetId: string): Promise<number> {
    const row = await this.db
      .selectFrom('dataset_contents')
      .select(sql<number>`count(*)`.as('count'))
      .where('dataset_id', '=', datasetId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}

export function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

export function decodeVector(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

function toDataset(row: Database['datasets']): Dataset {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    description: row.description,
    latestVersion: Number(row.latest_version),
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    updatedAt: Number(row.updated_at),
  };
}

function toVersion(row: DatasetVersionsTable): DatasetVersion {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    version: Number(row.version),
    parentVersion: row.parent_version === null ? null : Number(row.parent_version),
    step: row.step,
    params: JSON.parse(row.params) as Record<string, unknown>,
    source: JSON.parse(row.source) as Record<string, unknown>,
    stats: JSON.parse(row.stats) as Record<string, unknown>,
    itemCount: Number(row.item_count),
    contentHash: row.content_hash ?? '',
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
  };
}
