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
import type { Database, DeploymentVersionsTable, RegistryVersionsTable } from './schema.js';

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

export interface DeploymentSpec {
  /** A prompt reference such as `support-reply@production`, rendered by the prompts module; null for none. */
  prompt: string | null;
  /** A configured model or group name, or `registry:NAME@ALIAS`. */
  model: string;
  parameters: Record<string, unknown>;
  fallbacks: string[];
}

export interface DeploymentVersion extends DeploymentSpec {
  version: number;
  status: 'pending' | 'approved';
  /** For a rollback: the version it copies. */
  source_version: number | null;
  created_at: number;
  created_by: string;
  approved_by: string | null;
  activated_at: number | null;
}

export interface Deployment {
  name: string;
  project_id: string;
  active_version: number | null;
  created_at: number;
  versions: DeploymentVersion[];
}

/** The active version of a deployment, as the `deployment:` resolver holds it in memory. */
export interface ActiveDeployment extends DeploymentSpec {
  name: string;
  version: number;
}

export interface DeploymentChange {
  name: string;
  actor: string;
  /** Created as `pending` until a different principal approves it. */
  requiresApproval: boolean;
}

type DeploymentRow = Database['deployments'];

export class DeploymentRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditRepository,
  ) {}

  create(input: DeploymentChange & { projectId: string; spec: DeploymentSpec }): Promise<Deployment> {
    return this.audit.change(async (trx) => {
      if (await deploymentRow(trx, input.name))
        throw new FenerError('conflict', `deployment "${input.name}" already exists`, { param: 'name' });
      const row: DeploymentRow = {
        id: prefixedId('dep'),
        name: input.name,
        project_id: input.projectId,
        active_version: null,
        created_at: Date.now(),
      };
      await trx.insertInto('deployments').values(row).execute();
      const version = await insertVersion(trx, row, { ...input, version: 1, sourceVersion: null });
      return {
        result: await readDeployment(trx, input.name),
        audit: [changeAudit(input, 'deployment.create', { before: null, after: version })],
      };
    });
  }

  /** A new version with a changed spec; it serves at once unless it needs approval. */
  update(input: DeploymentChange & { spec: DeploymentSpec }): Promise<Deployment> {
    return this.audit.change(async (trx) => {
      const row = await requireDeployment(trx, input.name);
      const before = await activeVersion(trx, row);
      const version = await insertVersion(trx, row, { ...input, version: await nextVersion(trx, row), sourceVersion: null });
      return {
        result: await readDeployment(trx, input.name),
        audit: [changeAudit(input, 'deployment.update', { before: before, after: version })],
      };
    });
  }

  /**
   * A new version equal to the one active before the current one (or to `to`): prompt, model,
   * parameters and fallbacks together. Refused when there is nothing to go back to.
   */
  rollback(input: DeploymentChange & { to?: number }): Promise<Deployment> {
    return this.audit.change(async (trx) => {
      const row = await requireDeployment(trx, input.name);
      const before = await activeVersion(trx, row);
      if (!before)
        throw new FenerError('conflict', `deployment "${input.name}" has no active version to roll back from`, { param: 'name' });
      let query = trx
        .selectFrom('deployment_versions')
        .selectAll()
        .where('deployment_id', '=', row.id)
        .where('activated_at', 'is not', null);
      query =
        input.to === undefined
          ? query.where('version', '<', before.version).orderBy('version', 'desc')
          : query.where('version', '=', input.to);
      const target = await query.limit(1).executeTakeFirst();
      if (!target) {
        const message =
          input.to === undefined
            ? `deployment "${input.name}" has no previous version to roll back to`
            : `deployment "${input.name}" has no version ${input.to} that ever served`;
        throw new FenerError(input.to === undefined ? 'conflict' : 'not_found', message, {
          param: input.to === undefined ? 'name' : 'version',
        });
      }
      const spec = toDeploymentVersion(target);
      const version = await insertVersion(trx, row, { ...input, spec, version: await nextVersion(trx, row), sourceVersion: spec.version });
      return {
        result: await readDeployment(trx, input.name),
        audit: [changeAudit(input, 'deployment.rollback', { before: before, after: version })],
      };
    });
  }

  /** Activates a pending version; only a principal other than its author may. */
  approve(input: { name: string; version: number; actor: string }): Promise<Deployment> {
    return this.audit.change(async (trx) => {
      const row = await requireDeployment(trx, input.name);
      const target = await versionRow(trx, row, input.version);
      if (!target) throw new FenerError('not_found', `deployment "${input.name}" has no version ${input.version}`, { param: 'version' });
      if (target.status !== 'pending')
        throw new FenerError('conflict', `version ${input.version} of "${input.name}" is not waiting for approval`, { param: 'version' });
      if (target.created_by === input.actor)
        throw new FenerError('forbidden', 'a change must be approved by a different person than its author');
      if (row.active_version !== null && Number(row.active_version) > input.version) {
        throw new FenerError(
          'conflict',
          `version ${input.version} is older than the active version ${row.active_version}; make a new change instead`,
          {
            param: 'version',
          },
        );
      }
      const before = await activeVersion(trx, row);
      await trx
        .updateTable('deployment_versions')
        .set({ status: 'approved', approved_by: input.actor })
        .where('deployment_id', '=', row.id)
        .where('version', '=', input.version)
        .execute();
      await activate(trx, row, input.version);
      const after = await activeVersion(trx, row);
      return {
        result: await readDeployment(trx, input.name),
        audit: [{ actor: input.actor, action: 'approval.grant', objectType: 'deployment', objectId: input.name, before, after }],
      };
    });
  }

  async get(name: string): Promise<Deployment | undefined> {
    return (await deploymentRow(this.db, name)) ? readDeployment(this.db, name) : undefined;
  }

  async list(): Promise<Deployment[]> {
    const rows = await this.db.selectFrom('deployments').select('name').orderBy('name').execute();
    return Promise.all(rows.map((row) => readDeployment(this.db, row.name)));
  }

  /** Every deployment's active version, for the resolver's cache. */
  async activeAll(): Promise<ActiveDeployment[]> {
    const rows = await this.db
      .selectFrom('deployments')
      .innerJoin('deployment_versions', (join) =>
        join
          .onRef('deployment_versions.deployment_id', '=', 'deployments.id')
          .onRef('deployment_versions.version', '=', 'deployments.active_version'),
      )
      .select('deployments.name')
      .selectAll('deployment_versions')
      .execute();
    return rows.map((row) => {
      const version = toDeploymentVersion(row);
      return {
        name: row.name,
        version: version.version,
        prompt: version.prompt,
        model: version.model,
        parameters: version.parameters,
        fallbacks: version.fallbacks,
      };
    });
  }
}

async function deploymentRow(db: Executor, name: string): Promise<DeploymentRow | undefined> {
  return db.selectFrom('deployments').selectAll().where('name', '=', name).executeTakeFirst();
}

async function requireDeployment(db: Executor, name: string): Promise<DeploymentRow> {
  const row = await deploymentRow(db, name);
  if (!row) throw new FenerError('not_found', `no deployment named "${name}"`, { param: 'name' });
  return row;
}

async function versionRow(db: Executor, row: DeploymentRow, version: number): Promise<DeploymentVersionsTable | undefined> {
  return db
    .selectFrom('deployment_versions')
    .selectAll()
    .where('deployment_id', '=', row.id)
    .where('version', '=', version)
    .executeTakeFirst();
}

async function activeVersion(db: Executor, row: DeploymentRow): Promise<DeploymentVersion | null> {
  if (row.active_version === null) return null;
  const active = await versionRow(db, row, Number(row.active_version));
  return active ? toDeploymentVersion(active) : null;
}

async function nextVersion(db: Executor, row: DeploymentRow): Promise<number> {
  const latest = await db
    .selectFrom('deployment_versions')
    .select((eb) => eb.fn.max('version').as('max'))
    .where('deployment_id', '=', row.id)
    .executeTakeFirst();
  return Number(latest?.max ?? 0) + 1;
}

async function insertVersion(
  trx: Executor,
  row: DeploymentRow,
  input: DeploymentChange & { spec: DeploymentSpec; version: number; sourceVersion: number | null },
): Promise<DeploymentVersion> {
  await trx
    .insertInto('deployment_versions')
    .values({
      deployment_id: row.id,
      version: input.version,
      prompt_ref: input.spec.prompt,
      model_ref: input.spec.model,
      parameters: JSON.stringify(input.spec.parameters),
      fallbacks: JSON.stringify(input.spec.fallbacks),
      status: input.requiresApproval ? 'pending' : 'approved',
      source_version: input.sourceVersion,
      created_at: Date.now(),
      created_by: input.actor,
      approved_by: null,
      activated_at: null,
    })
    .execute();
  if (!input.requiresApproval) await activate(trx, row, input.version);
  const stored = await versionRow(trx, row, input.version);
  if (!stored) throw new FenerError('internal', `deployment version ${input.version} was not stored`);
  return toDeploymentVersion(stored);
}

async function activate(trx: Executor, row: DeploymentRow, version: number): Promise<void> {
  await trx
    .updateTable('deployment_versions')
    .set({ activated_at: Date.now() })
    .where('deployment_id', '=', row.id)
    .where('version', '=', version)
    .execute();
  await trx.updateTable('deployments').set({ active_version: version }).where('id', '=', row.id).execute();
  row.active_version = version;
  await new RevisionRepository(trx).bump('deployments');
}

async function readDeployment(db: Executor, name: string): Promise<Deployment> {
  const row = await requireDeployment(db, name);
  const versions = await db.selectFrom('deployment_versions').selectAll().where('deployment_id', '=', row.id).orderBy('version').execute();
  return {
    name: row.name,
    project_id: row.project_id,
    active_version: row.active_version === null ? null : Number(row.active_version),
    created_at: Number(row.created_at),
    versions: versions.map(toDeploymentVersion),
  };
}

function changeAudit(change: DeploymentChange, action: string, versions: { before: DeploymentVersion | null; after: DeploymentVersion }) {
  return { actor: change.actor, action, objectType: 'deployment', objectId: change.name, ...versions };
}

function toDeploymentVersion(row: DeploymentVersionsTable): DeploymentVersion {
  return {
    version: Number(row.version),
    prompt: row.prompt_ref,
    model: row.model_ref,
    parameters: JSON.parse(row.parameters) as Record<string, unknown>,
    fallbacks: JSON.parse(row.fallbacks) as string[],
    status: row.status as DeploymentVersion['status'],
    source_version: row.source_version === null ? null : Number(row.source_version),
    created_at: Number(row.created_at),
    created_by: row.created_by,
    approved_by: row.approved_by,
    activated_at: row.activated_at === null ? null : Number(row.activated_at),
  };
}

export interface StoredPolicy {
  project_id: string;
  /** The policy as given; the registry module parses it with its schema. */
  document: Record<string, unknown>;
  updated_at: number;
  updated_by: string;
}

export class PolicyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditRepository,
  ) {}

  async get(projectId: string): Promise<StoredPolicy | undefined> {
    const row = await this.db.selectFrom('policies').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    return row && toPolicy(row);
  }

  put(input: { projectId: string; document: Record<string, unknown>; actor: string }): Promise<StoredPolicy> {
    return this.audit.change(async (trx) => {
      const current = await trx.selectFrom('policies').selectAll().where('project_id', '=', input.projectId).executeTakeFirst();
      const values = { document: JSON.stringify(input.document), updated_at: Date.now(), updated_by: input.actor };
      await trx
        .insertInto('policies')
        .values({ project_id: input.projectId, ...values })
        .onConflict((conflict) => conflict.column('project_id').doUpdateSet(values))
        .execute();
      const policy = toPolicy({ project_id: input.projectId, ...values });
      return {
        result: policy,
        audit: [
          {
            actor: input.actor,
            action: 'policy.update',
            objectType: 'policy',
            objectId: input.projectId,
            before: current ? toPolicy(current).document : null,
            after: policy.document,
          },
        ],
      };
    });
  }
}

function toPolicy(row: Database['policies']): StoredPolicy {
  return {
    project_id: row.project_id,
    document: JSON.parse(row.document) as Record<string, unknown>,
    updated_at: Number(row.updated_at),
    updated_by: row.updated_by,
  };
}
