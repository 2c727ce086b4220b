/** Deployments (immutable versions, rollback, approvals) and per-project policies. */
import type { Kysely } from 'kysely';
import { FenerError } from '../core/index.js';
import { prefixedId, type AuditRepository, type Executor } from './audit.js';
import { RevisionRepository } from './revisions.js';
import type { Database, DeploymentVersionsTable } from './schema.js';

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

  /** Every stored policy: few rows (one per project), read when a process caches them. */
  async list(): Promise<StoredPolicy[]> {
    const rows = await this.db.selectFrom('policies').selectAll().orderBy('project_id').execute();
    return rows.map(toPolicy);
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
