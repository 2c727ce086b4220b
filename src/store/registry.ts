/**
 * The model registry, deployments and governance policies. Every change is written together
 * with its audit entry in one transaction (see audit.ts), so the log and the data never disagree.
 * These repositories keep the data whole (versions are immutable and numbered without gaps,
 * aliases point at versions that exist, approvals come from a second person); the registry
 * module above decides what is allowed (policies, known models).
 */
import type { Kysely } from 'kysely';
import { FenerError, type ModelTask } from '../core/index.js';
import { prefixedId, type AuditRepository, type Executor } from './audit.js';
import { RevisionRepository } from './revisions.js';
import type { Database, RegistryVersionsTable } from './schema.js';

export type ModelVersionKind = 'hosted' | 'self-hosted' | 'fine-tuned' | 'quantised';

export interface Evaluation {
  name: string;
  metric: string;
  value: number;
  at: number;
}

export interface ModelVersionInput {
  kind: ModelVersionKind;
  provider: string;
  upstream_model: string;
  price: { input_per_mtok: number; output_per_mtok: number };
  context_window?: number;
  licence?: string;
  tasks: ModelTask[];
  /** `model@version` this one was fine-tuned or quantised from. */
  fine_tuned_from?: string;
  dataset_version?: string;
}

export interface ModelVersion extends ModelVersionInput {
  model: string;
  version: number;
  /** The `models` entry the gateway routes to: `registry/NAME/vN`. */
  serving_model: string;
  created_at: number;
  created_by: string;
  evaluations: Evaluation[];
}

export interface RegisteredModel {
  name: string;
  project_id: string;
  description: string | null;
  created_at: number;
  created_by: string;
  latest_version: number | null;
  aliases: Record<string, number>;
}

/** What the `registry:` resolver needs in memory: which serving model each version and alias means. */
export interface RegistryServingTable {
  versions: { model: string; version: number; serving_model: string }[];
  aliases: { model: string; alias: string; version: number }[];
}

export function servingModelName(model: string, version: number): string {
  return `registry/${model}/v${version}`;
}

export class RegistryRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditRepository,
  ) {}

  createModel(input: { name: string; projectId: string; description?: string; actor: string }): Promise<RegisteredModel> {
    return this.audit.change(async (trx) => {
      if (await modelRow(trx, input.name))
        throw new FenerError('conflict', `model "${input.name}" is already registered`, { param: 'name' });
      const row = {
        id: prefixedId('rgm'),
        name: input.name,
        project_id: input.projectId,
        description: input.description ?? null,
        created_at: Date.now(),
        created_by: input.actor,
      };
      await trx.insertInto('registry_models').values(row).execute();
      const { id: _id, ...visible } = row;
      const model: RegisteredModel = { ...visible, latest_version: null, aliases: {} };
      return {
        result: model,
        audit: [{ actor: input.actor, action: 'model.create', objectType: 'model', objectId: input.name, before: null, after: model }],
      };
    });
  }

  async getModel(name: string): Promise<RegisteredModel | undefined> {
    const row = await modelRow(this.db, name);
    if (!row) return undefined;
    const [latest, aliases] = await Promise.all([
      this.db
        .selectFrom('registry_versions')
        .select((eb) => eb.fn.max('version').as('max'))
        .where('model_id', '=', row.id)
        .executeTakeFirst(),
      this.db.selectFrom('registry_aliases').select(['alias', 'version']).where('model_id', '=', row.id).orderBy('alias').execute(),
    ]);
    return {
      name: row.name,
      project_id: row.project_id,
      description: row.description,
      created_at: Number(row.created_at),
      created_by: row.created_by,
      latest_version: latest?.max === null || latest?.max === undefined ? null : Number(latest.max),
      aliases: Object.fromEntries(aliases.map((alias) => [alias.alias, Number(alias.version)])),
    };
  }

  async listModels(): Promise<RegisteredModel[]> {
    const rows = await this.db.selectFrom('registry_models').select('name').orderBy('name').execute();
    const models = await Promise.all(rows.map((row) => this.getModel(row.name)));
    return models.filter((model): model is RegisteredModel => model !== undefined);
  }

  /**
   * Registers the next version of a model and the `models` entry that serves it, so the gateway
   * can route to it (its catalogue reloads on the `models` revision).
   */
  addVersion(input: { model: string; version: ModelVersionInput; actor: string }): Promise<ModelVersion> {
    return this.audit.change(async (trx) => {
      const model = await requireModel(trx, input.model);
      const latest = await trx
        .selectFrom('registry_versions')
        .select((eb) => eb.fn.max('version').as('max'))
        .where('model_id', '=', model.id)
        .executeTakeFirst();
      const version = Number(latest?.max ?? 0) + 1;
      const now = Date.now();
      const spec = input.version;
      const row: RegistryVersionsTable = {
        model_id: model.id,
        version,
        kind: spec.kind,
        provider: spec.provider,
        upstream_model: spec.upstream_model,
        serving_model: servingModelName(model.name, version),
        input_per_mtok: spec.price.input_per_mtok,
        output_per_mtok: spec.price.output_per_mtok,
        context_window: spec.context_window ?? null,
        licence: spec.licence ?? null,
        tasks: JSON.stringify(spec.tasks),
        fine_tuned_from: spec.fine_tuned_from ?? null,
        dataset_version: spec.dataset_version ?? null,
        created_at: now,
        created_by: input.actor,
      };
      await trx.insertInto('registry_versions').values(row).execute();
      await upsertServingModel(trx, row);
      const revisions = new RevisionRepository(trx);
      await revisions.bump('models');
      await revisions.bump('registry');
      const stored = toVersion(model.name, row, []);
      return {
        result: stored,
        audit: [
          {
            actor: input.actor,
            action: 'model.register',
            objectType: 'model_version',
            objectId: `${model.name}@${version}`,
            before: null,
            after: stored,
          },
        ],
      };
    });
  }

  async getVersion(model: string, version: number): Promise<ModelVersion | undefined> {
    const owner = await modelRow(this.db, model);
    if (!owner) return undefined;
    const row = await this.db
      .selectFrom('registry_versions')
      .selectAll()
      .where('model_id', '=', owner.id)
      .where('version', '=', version)
      .executeTakeFirst();
    return row && toVersion(owner.name, row, await evaluationsOf(this.db, owner.id, version));
  }

  async listVersions(model: string): Promise<ModelVersion[] | undefined> {
    const owner = await modelRow(this.db, model);
    if (!owner) return undefined;
    const rows = await this.db.selectFrom('registry_versions').selectAll().where('model_id', '=', owner.id).orderBy('version').execute();
    return Promise.all(rows.map(async (row) => toVersion(owner.name, row, await evaluationsOf(this.db, owner.id, Number(row.version)))));
  }

  /** Points an alias at a version (creating the alias if new); audited with the version before and after. */
  moveAlias(input: {
    model: string;
    alias: string;
    version: number;
    actor: string;
  }): Promise<{ alias: string; version: number; previous: number | null }> {
    return this.audit.change(async (trx) => {
      const model = await requireModel(trx, input.model);
      await requireVersion(trx, model, input.version);
      const current = await trx
        .selectFrom('registry_aliases')
        .select('version')
        .where('model_id', '=', model.id)
        .where('alias', '=', input.alias)
        .executeTakeFirst();
      const values = { version: input.version, updated_at: Date.now(), updated_by: input.actor };
      await trx
        .insertInto('registry_aliases')
        .values({ model_id: model.id, alias: input.alias, ...values })
        .onConflict((conflict) => conflict.columns(['model_id', 'alias']).doUpdateSet(values))
        .execute();
      await new RevisionRepository(trx).bump('registry');
      const previous = current ? Number(current.version) : null;
      return {
        result: { alias: input.alias, version: input.version, previous },
        audit: [
          {
            actor: input.actor,
            action: 'alias.move',
            objectType: 'alias',
            objectId: `${model.name}@${input.alias}`,
            before: previous === null ? null : { version: previous },
            after: { version: input.version },
          },
        ],
      };
    });
  }

  addEvaluation(input: {
    model: string;
    version: number;
    evaluation: Omit<Evaluation, 'at'> & { at?: number };
    actor: string;
  }): Promise<Evaluation> {
    return this.audit.change(async (trx) => {
      const model = await requireModel(trx, input.model);
      await requireVersion(trx, model, input.version);
      const evaluation: Evaluation = { ...input.evaluation, at: input.evaluation.at ?? Date.now() };
      await trx
        .insertInto('registry_evaluations')
        .values({ id: prefixedId('eval'), model_id: model.id, version: input.version, ...evaluation })
        .execute();
      return {
        result: evaluation,
        audit: [
          {
            actor: input.actor,
            action: 'model.evaluate',
            objectType: 'model_version',
            objectId: `${model.name}@${input.version}`,
            before: null,
            after: evaluation,
          },
        ],
      };
    });
  }

  async servingTable(): Promise<RegistryServingTable> {
    const [versions, aliases] = await Promise.all([
      this.db
        .selectFrom('registry_versions')
        .innerJoin('registry_models', 'registry_models.id', 'registry_versions.model_id')
        .select(['registry_models.name as model', 'registry_versions.version', 'registry_versions.serving_model'])
        .execute(),
      this.db
        .selectFrom('registry_aliases')
        .innerJoin('registry_models', 'registry_models.id', 'registry_aliases.model_id')
        .select(['registry_models.name as model', 'registry_aliases.alias', 'registry_aliases.version'])
        .execute(),
    ]);
    return {
      versions: versions.map((row) => ({ ...row, version: Number(row.version) })),
      aliases: aliases.map((row) => ({ ...row, version: Number(row.version) })),
    };
  }
}

async function modelRow(db: Executor, name: string): Promise<Database['registry_models'] | undefined> {
  return db.selectFrom('registry_models').selectAll().where('name', '=', name).executeTakeFirst();
}

async function requireModel(db: Executor, name: string): Promise<Database['registry_models']> {
  const row = await modelRow(db, name);
  if (!row) throw new FenerError('not_found', `no registered model named "${name}"`, { param: 'name' });
  return row;
}

async function requireVersion(db: Executor, model: Database['registry_models'], version: number): Promise<void> {
  const row = await db
    .selectFrom('registry_versions')
    .select('version')
    .where('model_id', '=', model.id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) throw new FenerError('not_found', `model "${model.name}" has no version ${version}`, { param: 'version' });
}

async function evaluationsOf(db: Executor, modelId: string, version: number): Promise<Evaluation[]> {
  const rows = await db
    .selectFrom('registry_evaluations')
    .select(['name', 'metric', 'value', 'at'])
    .where('model_id', '=', modelId)
    .where('version', '=', version)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ ...row, at: Number(row.at) }));
}

async function upsertServingModel(trx: Executor, row: RegistryVersionsTable): Promise<void> {
  const values = {
    provider: row.provider,
    upstream_model: row.upstream_model,
    input_per_mtok: row.input_per_mtok,
    output_per_mtok: row.output_per_mtok,
    cached_input_per_mtok: null,
    context_window: row.context_window,
    max_output_tokens: null,
    licence: row.licence,
    tasks: row.tasks,
    updated_at: row.created_at,
  };
  await trx
    .insertInto('models')
    .values({ id: `mdl_${row.model_id.slice(4)}v${row.version}`, name: row.serving_model, created_at: row.created_at, ...values })
    .onConflict((conflict) => conflict.column('name').doUpdateSet(values))
    .execute();
}

function toVersion(model: string, row: RegistryVersionsTable, evaluations: Evaluation[]): ModelVersion {
  const version: ModelVersion = {
    model,
    version: Number(row.version),
    kind: row.kind as ModelVersionKind,
    provider: row.provider,
    upstream_model: row.upstream_model,
    serving_model: row.serving_model,
    price: { input_per_mtok: row.input_per_mtok, output_per_mtok: row.output_per_mtok },
    tasks: JSON.parse(row.tasks) as ModelTask[],
    created_at: Number(row.created_at),
    created_by: row.created_by,
    evaluations,
  };
  if (row.context_window !== null) version.context_window = row.context_window;
  if (row.licence !== null) version.licence = row.licence;
  if (row.fine_tuned_from !== null) version.fine_tuned_from = row.fine_tuned_from;
  if (row.dataset_version !== null) version.dataset_version = row.dataset_version;
  return version;
}
