/** Row helpers and types shared by the deployment and canary repositories. */
import { FenerError, type Deployment, type DeploymentSpec, type DeploymentVersion } from '../core/index.js';
import type { Executor } from './audit.js';
import { RevisionRepository } from './revisions.js';
import type { Database, DeploymentVersionsTable } from './schema.js';

export type { Deployment, DeploymentSpec, DeploymentVersion };

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

export type DeploymentRow = Database['deployments'];

export async function deploymentRow(db: Executor, name: string): Promise<DeploymentRow | undefined> {
  return db.selectFrom('deployments').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function requireDeployment(db: Executor, name: string): Promise<DeploymentRow> {
  const row = await deploymentRow(db, name);
  if (!row) throw new FenerError('not_found', `no deployment named "${name}"`, { param: 'name' });
  return row;
}

export async function versionRow(db: Executor, row: DeploymentRow, version: number): Promise<DeploymentVersionsTable | undefined> {
  return db
    .selectFrom('deployment_versions')
    .selectAll()
    .where('deployment_id', '=', row.id)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function activeVersion(db: Executor, row: DeploymentRow): Promise<DeploymentVersion | null> {
  if (row.active_version === null) return null;
  const active = await versionRow(db, row, Number(row.active_version));
  return active ? toDeploymentVersion(active) : null;
}

export async function nextVersion(db: Executor, row: DeploymentRow): Promise<number> {
  const latest = await db
    .selectFrom('deployment_versions')
    .select((eb) => eb.fn.max('version').as('max'))
    .where('deployment_id', '=', row.id)
    .executeTakeFirst();
  return Number(latest?.max ?? 0) + 1;
}

export async function insertVersion(
  trx: Executor,
  row: DeploymentRow,
  input: DeploymentChange & { spec: DeploymentSpec; version: number; sourceVersion: number | null; candidate?: boolean },
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
      status: input.candidate ? 'candidate' : input.requiresApproval ? 'pending' : 'approved',
      source_version: input.sourceVersion,
      created_at: Date.now(),
      created_by: input.actor,
      approved_by: null,
      activated_at: null,
    })
    .execute();
  if (!input.requiresApproval && !input.candidate) await activate(trx, row, input.version);
  const stored = await versionRow(trx, row, input.version);
  if (!stored) throw new FenerError('internal', `deployment version ${input.version} was not stored`);
  return toDeploymentVersion(stored);
}

export async function activate(trx: Executor, row: DeploymentRow, version: number): Promise<void> {
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

export async function readDeployment(db: Executor, name: string): Promise<Deployment> {
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

export function changeAudit(
  change: DeploymentChange,
  action: string,
  versions: { before: DeploymentVersion | null; after: DeploymentVersion },
) {
  return { actor: change.actor, action, objectType: 'deployment', objectId: change.name, ...versions };
}

export function toDeploymentVersion(row: DeploymentVersionsTable): DeploymentVersion {
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
