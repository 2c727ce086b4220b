/**
 * Writing one dataset version: items are appended in batches (one short transaction each, so the
 * database is never locked for the length of an import) to a `pending` version that readers do
 * not see; `commit` numbers it and makes it `ready` in one transaction, `discard` deletes it with
 * the bodies that only it brought. Either way no half-written version is ever visible.
 */
import { createHash, type Hash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { FenerError } from '../core/index.js';
import type { AuditRepository } from './audit.js';
import type { Database } from './schema.js';

export type DatasetSplit = 'train' | 'validation' | 'test';

/** One item as the writer stores it; `body` is omitted when the content is already stored (a shared item). */
export interface WriterItem {
  id: string;
  contentHash: string;
  body?: string;
  split?: DatasetSplit | null;
}

export interface VersionMeta {
  parentVersion: number | null;
  step: string;
  params: Record<string, unknown>;
  source: Record<string, unknown>;
  actor: string;
}

export interface CommitResult {
  version: number;
  contentHash: string;
  itemCount: number;
  /** False when a version with identical content existed: that version is returned, nothing new stored. */
  created: boolean;
}

/** Rows per INSERT: well under SQLite's 32,766 and Postgres' 65,535 bound parameters. */
export const writeBatchRows = 1000;

export class VersionWriter {
  private position = 0;
  private readonly hash: Hash = createHash('sha256');
  private closed = false;

  private readonly db: Kysely<Database>;
  private readonly audit: AuditRepository;
  private readonly meta: VersionMeta;
  readonly versionId: string;
  readonly dataset: { id: string; name: string };

  constructor(options: {
    db: Kysely<Database>;
    audit: AuditRepository;
    versionId: string;
    dataset: { id: string; name: string };
    meta: VersionMeta;
  }) {
    this.db = options.db;
    this.audit = options.audit;
    this.versionId = options.versionId;
    this.dataset = options.dataset;
    this.meta = options.meta;
  }

  get count(): number {
    return this.position;
  }

  /** Which of `ids` this version already holds (to refuse or rename duplicates before `add`). */
  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let start = 0; start < ids.length; start += writeBatchRows) {
      const chunk = ids.slice(start, start + writeBatchRows);
      if (chunk.length === 0) continue;
      const rows = await this.db
        .selectFrom('dataset_version_items')
        .select('item_id')
        .where('version_id', '=', this.versionId)
        .where('item_id', 'in', chunk)
        .execute();
      for (const row of rows) found.add(row.item_id);
    }
    return found;
  }

  /** Appends items in order; ids must be new to this version (see `existingIds`). */
  async add(items: readonly WriterItem[]): Promise<void> {
    this.assertOpen();
    for (let start = 0; start < items.length; start += writeBatchRows) {
      const chunk = items.slice(start, start + writeBatchRows);
      const members = chunk.map((item) => ({
        version_id: this.versionId,
        position: ++this.position,
        item_id: item.id,
        content_hash: item.contentHash,
        split: item.split ?? null,
      }));
      const bodies = new Map<string, string>();
      for (const item of chunk) if (item.body !== undefined) bodies.set(item.contentHash, item.body);
      await this.db.transaction().execute(async (trx) => {
        if (bodies.size > 0) {
          await trx
            .insertInto('dataset_contents')
            .values(
              [...bodies].map(([hash, body]) => ({
                dataset_id: this.dataset.id,
                content_hash: hash,
                body,
                origin_version: this.versionId,
              })),
            )
            .onConflict((conflict) => conflict.columns(['dataset_id', 'content_hash']).doNothing())
            .execute();
        }
        await trx.insertInto('dataset_version_items').values(members).execute();
        await trx.updateTable('dataset_versions').set({ updated_at: Date.now() }).where('id', '=', this.versionId).execute();
      });
      for (const member of members) this.hash.update(`${member.item_id}\t${member.split ?? ''}\t${member.content_hash}\n`);
    }
  }

  /**
   * Numbers the version and makes it visible, unless a version with the same content hash exists
   * (then this one is discarded and that one returned: identical content, same version).
   */
  async commit(stats: Record<string, unknown>, lineage: { parentVersion?: number | null } = {}): Promise<CommitResult> {
    const parentVersion = lineage.parentVersion === undefined ? this.meta.parentVersion : lineage.parentVersion;
    this.assertOpen();
    this.closed = true;
    const contentHash = `sha256:${this.hash.digest('hex')}`;
    const itemCount = this.position;
    const outcome = await this.audit.change(async (trx) => {
      const same = await trx
        .selectFrom('dataset_versions')
        .select(['version', 'item_count'])
        .where('dataset_id', '=', this.dataset.id)
        .where('status', '=', 'ready')
        .where('content_hash', '=', contentHash)
        .orderBy('version')
        .executeTakeFirst();
      if (same) return { result: { version: Number(same.version), contentHash, itemCount, created: false }, audit: [] };
      const now = Date.now();
      const counter = await trx
        .updateTable('datasets')
        .set((eb) => ({ latest_version: eb('latest_version', '+', 1), updated_at: now }))
        .where('id', '=', this.dataset.id)
        .returning('latest_version')
        .executeTakeFirst();
      if (!counter) throw new FenerError('not_found', `dataset "${this.dataset.name}" was deleted while the version was written`);
      const version = Number(counter.latest_version);
      await trx
        .updateTable('dataset_versions')
        .set({
          version,
          status: 'ready',
          parent_version: parentVersion,
          content_hash: contentHash,
          item_count: itemCount,
          stats: JSON.stringify(stats),
          updated_at: now,
        })
        .where('id', '=', this.versionId)
        .execute();
      const after = { version, content_hash: contentHash, item_count: itemCount, parent_version: parentVersion, step: this.meta.step };
      return {
        result: { version, contentHash, itemCount, created: true },
        audit: [
          {
            actor: this.meta.actor,
            action: 'dataset.version.create',
            objectType: 'dataset',
            objectId: this.dataset.name,
            before: null,
            after: { ...after, params: this.meta.params, source: this.meta.source },
          },
        ],
      };
    });
    if (!outcome.created) await deletePendingVersion(this.db, this.dataset.id, this.versionId);
    return outcome;
  }

  /** Deletes everything written so far; safe to call after a failed `add` or twice. */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await deletePendingVersion(this.db, this.dataset.id, this.versionId);
  }

  private assertOpen(): void {
    if (this.closed) throw new FenerError('internal', 'this dataset version was already committed or discarded');
  }
}

/**
 * Removes a pending (or just superseded) version: its membership, then the bodies it first stored
 * that no other version of the dataset refers to (another writer may have reused one meanwhile).
 */
export async function deletePendingVersion(db: Kysely<Database>, datasetId: string, versionId: string): Promise<void> {
  await db.deleteFrom('dataset_version_items').where('version_id', '=', versionId).execute();
  await db
    .deleteFrom('dataset_contents')
    .where('dataset_id', '=', datasetId)
    .where('origin_version', '=', versionId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('dataset_version_items as member')
            .innerJoin('dataset_versions as owner', 'owner.id', 'member.version_id')
            .select(sql<number>`1`.as('one'))
            .where('owner.dataset_id', '=', datasetId)
            .whereRef('member.content_hash', '=', 'dataset_contents.content_hash'),
        ),
      ),
    )
    .execute();
  await db.deleteFrom('dataset_versions').where('id', '=', versionId).where('status', '=', 'pending').execute();
}
