/**
 * Prompts: immutable, numbered versions of a JSON document, and labels that point at versions.
 * The store does not interpret the document (the prompts module validates and renders it); it
 * numbers versions, deduplicates identical content by hash, and keeps labels honest: a label
 * always points at an existing version (checked here, and by a foreign key), and every move of a
 * label is recorded so that it can be rolled back.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { FenerError } from '../core/index.js';
import type { AuditInput, AuditRepository, Executor } from './audit.js';
import type { RevisionRepository } from './revisions.js';
import type { Database } from './schema.js';

/** The content of a version as the prompts module wrote it: messages, variables, parameters, tools. */
export type PromptDocument = Record<string, unknown>;

export interface PromptVersion {
  name: string;
  version: number;
  content: PromptDocument;
  contentHash: string;
  createdAt: number;
  createdBy: string;
}

export interface PromptSummary {
  name: string;
  latestVersion: number;
  /** label → version */
  labels: Record<string, number>;
  createdAt: number;
  updatedAt: number;
}

export interface PromptDetail extends PromptSummary {
  /** Newest first, without content. */
  versions: Omit<PromptVersion, 'content'>[];
}

export interface LabelMove {
  name: string;
  label: string;
  fromVersion: number | null;
  toVersion: number;
  at: number;
  actor: string;
}

export interface PushResult {
  version: PromptVersion;
  /** False when identical content already existed as a version (that version is returned). */
  created: boolean;
  /** The labels that actually moved. */
  moves: LabelMove[];
}

/** The canonical JSON of a value (object keys sorted), so equal content hashes equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

export function contentHash(content: PromptDocument): string {
  return `sha256:${createHash('sha256').update(canonicalJson(content)).digest('hex')}`;
}

type Db = Kysely<Database> | Transaction<Database>;

export class PromptRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly revisions: RevisionRepository,
    private readonly audit: AuditRepository,
  ) {}

  /** Runs a change in one transaction with its audit entries (before/after of versions and labels). */
  private audited<T>(work: (trx: Executor) => Promise<T>, entries: (result: T) => AuditInput[]): Promise<T> {
    return this.audit.change(async (trx) => {
      const result = await work(trx);
      return { result, audit: entries(result) };
    });
  }

  /**
   * Stores `content` as the next version of prompt `name` (creating the prompt), unless a version
   * with identical content exists, then moves `labels` to that version — all in one transaction.
   */
  async push(input: { name: string; content: PromptDocument; labels?: string[]; actor: string }): Promise<PushResult> {
    const hash = contentHash(input.content);
    const result = await this.audited(
      async (trx) => {
        const now = Date.now();
        await trx
          .insertInto('prompts')
          .values({ name: input.name, latest_version: 0, created_at: now, updated_at: now })
          .onConflict((conflict) => conflict.column('name').doNothing())
          .execute();
        await lockPrompt(trx, input.name, now);
        const existing = await trx
          .selectFrom('prompt_versions')
          .selectAll()
          .where('prompt_name', '=', input.name)
          .where('content_hash', '=', hash)
          .orderBy('version', 'desc')
          .executeTakeFirst();
        let row = existing;
        if (!row) {
          const counter = await trx
            .updateTable('prompts')
            .set((eb) => ({ latest_version: eb('latest_version', '+', 1) }))
            .where('name', '=', input.name)
            .returning('latest_version')
            .executeTakeFirstOrThrow();
          row = {
            prompt_name: input.name,
            version: Number(counter.latest_version),
            content: JSON.stringify(input.content),
            content_hash: hash,
            created_at: now,
            created_by: input.actor,
          };
          await trx.insertInto('prompt_versions').values(row).execute();
        }
        const moves: LabelMove[] = [];
        for (const label of new Set(input.labels ?? [])) {
          const move = await moveLabel(trx, { name: input.name, label, version: Number(row.version), actor: input.actor, at: now });
          if (move) moves.push(move);
        }
        return { version: toVersion(row), created: !existing, moves };
      },
      (pushed) => [
        ...(pushed.created
          ? [promptAudit(input.actor, 'prompt.version.create', { name: input.name, before: null, after: versionSummary(pushed.version) })]
          : []),
        ...pushed.moves.map((move) => moveAudit(move, 'prompt.label.move')),
      ],
    );
    if (result.created || result.moves.length > 0) await this.revisions.bump('prompts');
    return result;
  }

  async list(): Promise<PromptSummary[]> {
    const prompts = await this.db.selectFrom('prompts').selectAll().orderBy('name').execute();
    const labels = await this.db.selectFrom('prompt_labels').select(['prompt_name', 'label', 'version']).execute();
    return prompts.map((row) => toSummary(row, labels));
  }

  async get(name: string): Promise<PromptDetail | undefined> {
    const row = await this.db.selectFrom('prompts').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) return undefined;
    const labels = await this.db
      .selectFrom('prompt_labels')
      .select(['prompt_name', 'label', 'version'])
      .where('prompt_name', '=', name)
      .execute();
    const versions = await this.db
      .selectFrom('prompt_versions')
      .select(['prompt_name', 'version', 'content_hash', 'created_at', 'created_by'])
      .where('prompt_name', '=', name)
      .orderBy('version', 'desc')
      .execute();
    return {
      ...toSummary(row, labels),
      versions: versions.map((version) => ({
        name: version.prompt_name,
        version: Number(version.version),
        contentHash: version.content_hash,
        createdAt: Number(version.created_at),
        createdBy: version.created_by,
      })),
    };
  }

  async version(name: string, version: number): Promise<PromptVersion | undefined> {
    const row = await this.db
      .selectFrom('prompt_versions')
      .selectAll()
      .where('prompt_name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    return row && toVersion(row);
  }

  /** The version a label points at; undefined when the prompt or the label does not exist. */
  async byLabel(name: string, label: string): Promise<PromptVersion | undefined> {
    const row = await this.db
      .selectFrom('prompt_labels')
      .innerJoin('prompt_versions', (join) =>
        join
          .onRef('prompt_versions.prompt_name', '=', 'prompt_labels.prompt_name')
          .onRef('prompt_versions.version', '=', 'prompt_labels.version'),
      )
      .selectAll('prompt_versions')
      .where('prompt_labels.prompt_name', '=', name)
      .where('prompt_labels.label', '=', label)
      .executeTakeFirst();
    return row && toVersion(row);
  }

  /**
   * Points `label` at `version` and records the move; returns undefined when it already pointed
   * there. Throws `not_found` for an unknown prompt or version.
   */
  async setLabel(input: { name: string; label: string; version: number; actor: string }): Promise<LabelMove | undefined> {
    const move = await this.audited(
      async (trx) => {
        const now = Date.now();
        await requirePrompt(trx, input.name, now);
        return moveLabel(trx, { ...input, at: now });
      },
      (moved) => (moved ? [moveAudit(moved, 'prompt.label.move')] : []),
    );
    if (move) await this.revisions.bump('prompts');
    return move;
  }

  /** Moves `label` back to the version it pointed at before its last move. */
  async rollbackLabel(input: { name: string; label: string; actor: string }): Promise<LabelMove> {
    const move = await this.audited(
      async (trx) => {
        const now = Date.now();
        await requirePrompt(trx, input.name, now);
        const last = await trx
          .selectFrom('prompt_label_history')
          .select(['from_version'])
          .where('prompt_name', '=', input.name)
          .where('label', '=', input.label)
          .orderBy('seq', 'desc')
          .executeTakeFirst();
        if (!last) throw new FenerError('not_found', `prompt "${input.name}" has no label "${input.label}"`, { param: 'label' });
        if (last.from_version === null) {
          throw new FenerError('conflict', `label "${input.label}" of prompt "${input.name}" has no previous version to roll back to`, {
            param: 'label',
          });
        }
        return moveLabel(trx, { ...input, version: Number(last.from_version), at: now });
      },
      (moved) => (moved ? [moveAudit(moved, 'prompt.label.rollback')] : []),
    );
    if (!move) throw new FenerError('internal', 'a rollback moved nothing');
    await this.revisions.bump('prompts');
    return move;
  }

  /** Moves of a label, newest first. */
  async labelHistory(name: string, label: string): Promise<LabelMove[]> {
    const rows = await this.db
      .selectFrom('prompt_label_history')
      .selectAll()
      .where('prompt_name', '=', name)
      .where('label', '=', label)
      .orderBy('seq', 'desc')
      .execute();
    return rows.map((row) => ({
      name: row.prompt_name,
      label: row.label,
      fromVersion: row.from_version === null ? null : Number(row.from_version),
      toVersion: Number(row.to_version),
      at: Number(row.at),
      actor: row.actor,
    }));
  }

  /** Deletes a version; refused (`conflict`) while a label points at it. Its number is never reused. */
  async deleteVersion(name: string, version: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await requirePrompt(trx, name, Date.now());
      const labels = await trx
        .selectFrom('prompt_labels')
        .select('label')
        .where('prompt_name', '=', name)
        .where('version', '=', version)
        .execute();
      if (labels.length > 0) {
        const names = labels.map((row) => row.label).join(', ');
        throw new FenerError('conflict', `version ${version} of prompt "${name}" is labelled (${names}); move the labels first`, {
          param: 'version',
        });
      }
      const result = await trx
        .deleteFrom('prompt_versions')
        .where('prompt_name', '=', name)
        .where('version', '=', version)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) {
        throw new FenerError('not_found', `prompt "${name}" has no version ${version}`, { param: 'version' });
      }
    });
    await this.revisions.bump('prompts');
  }
}

/**
 * Takes the prompt's row lock (a no-op update: Postgres has no `FOR UPDATE` that SQLite accepts)
 * so that concurrent pushes and label moves of one prompt are serialised.
 */
async function lockPrompt(trx: Db, name: string, now: number): Promise<boolean> {
  const result = await trx.updateTable('prompts').set({ updated_at: now }).where('name', '=', name).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

async function requirePrompt(trx: Db, name: string, now: number): Promise<void> {
  if (!(await lockPrompt(trx, name, now))) throw new FenerError('not_found', `no prompt named "${name}"`, { param: 'name' });
}

async function moveLabel(
  trx: Db,
  input: { name: string; label: string; version: number; actor: string; at: number },
): Promise<LabelMove | undefined> {
  const target = await trx
    .selectFrom('prompt_versions')
    .select('version')
    .where('prompt_name', '=', input.name)
    .where('version', '=', input.version)
    .executeTakeFirst();
  if (!target) throw new FenerError('not_found', `prompt "${input.name}" has no version ${input.version}`, { param: 'version' });
  const current = await trx
    .selectFrom('prompt_labels')
    .select('version')
    .where('prompt_name', '=', input.name)
    .where('label', '=', input.label)
    .executeTakeFirst();
  const fromVersion = current === undefined ? null : Number(current.version);
  if (fromVersion === input.version) return undefined;
  const row = { version: input.version, updated_at: input.at, updated_by: input.actor };
  await trx
    .insertInto('prompt_labels')
    .values({ prompt_name: input.name, label: input.label, ...row })
    .onConflict((conflict) => conflict.columns(['prompt_name', 'label']).doUpdateSet(row))
    .execute();
  const last = await trx
    .selectFrom('prompt_label_history')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('prompt_name', '=', input.name)
    .where('label', '=', input.label)
    .executeTakeFirst();
  await trx
    .insertInto('prompt_label_history')
    .values({
      prompt_name: input.name,
      label: input.label,
      seq: Number(last?.seq ?? 0) + 1,
      from_version: fromVersion,
      to_version: input.version,
      at: input.at,
      actor: input.actor,
    })
    .execute();
  return { name: input.name, label: input.label, fromVersion, toVersion: input.version, at: input.at, actor: input.actor };
}

function versionSummary(version: PromptVersion): Record<string, unknown> {
  return { version: version.version, content_hash: version.contentHash, content: version.content };
}

function promptAudit(actor: string, action: string, change: { name: string; before: unknown; after: unknown }): AuditInput {
  return { actor, action, objectType: 'prompt', objectId: change.name, before: change.before, after: change.after };
}

function moveAudit(move: LabelMove, action: string): AuditInput {
  return promptAudit(move.actor, action, {
    name: move.name,
    before: move.fromVersion === null ? null : { label: move.label, version: move.fromVersion },
    after: { label: move.label, version: move.toVersion },
  });
}

function toVersion(row: Database['prompt_versions']): PromptVersion {
  return {
    name: row.prompt_name,
    version: Number(row.version),
    content: JSON.parse(row.content) as PromptDocument,
    contentHash: row.content_hash,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
  };
}

function toSummary(row: Database['prompts'], labels: { prompt_name: string; label: string; version: number }[]): PromptSummary {
  return {
    name: row.name,
    latestVersion: Number(row.latest_version),
    labels: Object.fromEntries(
      labels
        .filter((label) => label.prompt_name === row.name)
        .sort((a, b) => a.label.localeCompare(b.label))
        .map((label) => [label.label, Number(label.version)]),
    ),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Migration `0005_prompts`: the four prompt tables. */
export async function createPromptTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('prompts')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('latest_version', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('prompt_versions')
    .addColumn('prompt_name', 'text', (column) => column.notNull().references('prompts.name'))
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('content', 'text', (column) => column.notNull())
    .addColumn('content_hash', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('prompt_versions_pk', ['prompt_name', 'version'])
    .execute();
  await db.schema.createIndex('prompt_versions_hash').on('prompt_versions').columns(['prompt_name', 'content_hash']).execute();
  await db.schema
    .createTable('prompt_labels')
    .addColumn('prompt_name', 'text', (column) => column.notNull())
    .addColumn('label', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_by', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('prompt_labels_pk', ['prompt_name', 'label'])
    // The database itself refuses a label that points at a missing (deleted) version.
    .addForeignKeyConstraint('prompt_labels_version', ['prompt_name', 'version'], 'prompt_versions', ['prompt_name', 'version'])
    .execute();
  await db.schema
    .createTable('prompt_label_history')
    .addColumn('prompt_name', 'text', (column) => column.notNull())
    .addColumn('label', 'text', (column) => column.notNull())
    .addColumn('seq', 'integer', (column) => column.notNull())
    .addColumn('from_version', 'integer')
    .addColumn('to_version', 'integer', (column) => column.notNull())
    .addColumn('at', 'bigint', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('prompt_label_history_pk', ['prompt_name', 'label', 'seq'])
    .execute();
}
