/** Deployments (immutable versions, rollback, approvals) and per-project policies. */
import type { Kysely } from 'kysely';
import { FenerError } from '../core/index.js';
import { prefixedId, type AuditRepository } from './audit.js';
import { abortOpenCanary, openCanary } from './canaries.js';
import {
  activate,
  activeVersion,
  changeAudit,
  deploymentRow,
  insertVersion,
  nextVersion,
  readDeployment,
  requireDeployment,
  toDeploymentVersion,
  versionRow,
  type ActiveDeployment,
  type Deployment,
  type DeploymentChange,
  type DeploymentRow,
  type DeploymentSpec,
} from './deployment-rows.js';
import type { Database } from './schema.js';

export type { ActiveDeployment, Deployment, DeploymentChange, DeploymentSpec, DeploymentVersion } from './deployment-rows.js';

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
      const canary = await openCanary(trx, row.id);
      if (canary) {
        throw new FenerError(
          'conflict',
          `deployment "${input.name}" has a ${canary.status} canary (${canary.id}); promote or abort it before changing the deployment`,
        );
      }
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
      // A rollback is the emergency stop: it ends a canary in progress, whose traffic returns to the rolled-back-to version.
      const aborted = await abortOpenCanary(trx, row.id, { actor: input.actor, reason: 'the deployment was rolled back' });
      const version = await insertVersion(trx, row, { ...input, spec, version: await nextVersion(trx, row), sourceVersion: spec.version });
      return {
        result: await readDeployment(trx, input.name),
        audit: [...(aborted ? [aborted] : []), changeAudit(input, 'deployment.rollback', { before: before, after: version })],
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
