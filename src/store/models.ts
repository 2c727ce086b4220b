import type { Kysely } from 'kysely';
import { FenerError, newId } from '../core/index.js';
import type { ModelTask } from '../core/index.js';
import type { RevisionRepository } from './revisions.js';
import type { Database } from './schema.js';

/** A model managed through `/api/models` (models in `fener.yaml` live in the config, not here). */
export interface StoredModel {
  name: string;
  provider: string;
  upstream_model: string;
  price: { input_per_mtok: number; output_per_mtok: number; cached_input_per_mtok?: number };
  context_window?: number;
  max_output_tokens?: number;
  licence?: string;
  tasks: ModelTask[];
  created_at: number;
  updated_at: number;
}

export type ModelInput = Omit<StoredModel, 'created_at' | 'updated_at'>;

export class ModelRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly revisions: RevisionRepository,
  ) {}

  /** Creates or replaces the model of this name. */
  async upsert(model: ModelInput): Promise<StoredModel> {
    const now = Date.now();
    const values = {
      provider: model.provider,
      upstream_model: model.upstream_model,
      input_per_mtok: model.price.input_per_mtok,
      output_per_mtok: model.price.output_per_mtok,
      cached_input_per_mtok: model.price.cached_input_per_mtok ?? null,
      context_window: model.context_window ?? null,
      max_output_tokens: model.max_output_tokens ?? null,
      licence: model.licence ?? null,
      tasks: JSON.stringify(model.tasks),
      updated_at: now,
    };
    await this.db
      .insertInto('models')
      .values({ id: newId('mdl'), name: model.name, created_at: now, ...values })
      .onConflict((conflict) => conflict.column('name').doUpdateSet(values))
      .execute();
    await this.revisions.bump('models');
    const stored = await this.get(model.name);
    if (!stored) throw new FenerError('internal', `model "${model.name}" was not stored`);
    return stored;
  }

  async get(name: string): Promise<StoredModel | undefined> {
    const row = await this.db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toModel(row);
  }

  async list(): Promise<StoredModel[]> {
    const rows = await this.db.selectFrom('models').selectAll().orderBy('name').execute();
    return rows.map(toModel);
  }

  async remove(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('models').where('name', '=', name).executeTakeFirst();
    const removed = Number(result.numDeletedRows) > 0;
    if (removed) await this.revisions.bump('models');
    return removed;
  }
}

function toModel(row: Database['models']): StoredModel {
  const model: StoredModel = {
    name: row.name,
    provider: row.provider,
    upstream_model: row.upstream_model,
    price: { input_per_mtok: row.input_per_mtok, output_per_mtok: row.output_per_mtok },
    tasks: JSON.parse(row.tasks) as ModelTask[],
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
  if (row.cached_input_per_mtok !== null) model.price.cached_input_per_mtok = row.cached_input_per_mtok;
  if (row.context_window !== null) model.context_window = row.context_window;
  if (row.max_output_tokens !== null) model.max_output_tokens = row.max_output_tokens;
  if (row.licence !== null) model.licence = row.licence;
  return model;
}
