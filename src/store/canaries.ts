/**
 * Canary and A/B releases of deployments: which deployment versions share the traffic and by how
 * much, the counters every replica adds its observations to, and each decision with its evidence.
 * The statistics live in the registry module; this file only stores what it needs, and makes
 * every state change (start, approval, promotion, rollback, abort) one transaction with its
 * audit entry. A change happens only from the state it expects (`where status = …`), so two
 * replicas evaluating the same canary cannot both decide.
 */
import { sql, type Kysely } from 'kysely';
import { FenerError } from '../core/index.js';
import { prefixedId, type AuditInput, type AuditRepository, type Executor } from './audit.js';
import {
  activate,
  activeVersion,
  insertVersion,
  nextVersion,
  requireDeployment,
  toDeploymentVersion,
  versionRow,
  type DeploymentRow,
  type DeploymentSpec,
} from './deployment-rows.js';
import { readCanary, type Canary, type CanaryStatus, type CanaryVariant, type PromotionRequest } from './canary-rows.js';
import { RevisionRepository } from './revisions.js';

export type { Canary, CanaryDecision, CanaryStatus, CanaryVariant, PromotionRequest } from './canary-rows.js';
import type { Database, DeploymentCanariesTable } from './schema.js';

/** A variant as asked for: an existing version, a new spec (stored as a `candidate` version), or neither (the active version). */
export interface CanaryVariantInput {
  name: string;
  percent: number;
  version?: number;
  spec?: DeploymentSpec;
}

/** A running canary as the `deployment:` resolver holds it: every variant with its spec. */
export interface ActiveCanary {
  id: string;
  deployment: string;
  baseline: string;
  variants: (CanaryVariant & DeploymentSpec)[];
}

/** `{variant: {metric: count}}` */
export type CanaryCounts = Record<string, Record<string, number>>;

export interface CanaryCountIncrement {
  canaryId: string;
  variant: string;
  metric: string;
  count: number;
}

type CanaryRow = DeploymentCanariesTable;

export class CanaryRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditRepository,
  ) {}

  /** Starts a canary (or leaves it `pending` until a second person approves it). */
  start(input: {
    deployment: string;
    variants: CanaryVariantInput[];
    baseline: string;
    settings: Record<string, unknown>;
    actor: string;
    requiresApproval: boolean;
  }): Promise<Canary> {
    return this.audit.change(async (trx) => {
      const row = await requireDeployment(trx, input.deployment);
      const active = await activeVersion(trx, row);
      if (!active) throw new FenerError('conflict', `deployment "${input.deployment}" has no active version to compare with`);
      const current = await openCanary(trx, row.id);
      if (current) {
        throw new FenerError('conflict', `deployment "${input.deployment}" already has a ${current.status} canary (${current.id})`);
      }
      const variants: CanaryVariant[] = [];
      for (const variant of input.variants) {
        variants.push(await variantVersion(trx, row, { variant, actor: input.actor, activeVersion: active.version }));
      }
      const now = Date.now();
      const canary: CanaryRow = {
        id: prefixedId('can'),
        deployment_id: row.id,
        status: input.requiresApproval ? 'pending' : 'running',
        baseline: input.baseline,
        variants: JSON.stringify(variants),
        settings: JSON.stringify(input.settings),
        created_at: now,
        created_by: input.actor,
        approved_by: null,
        started_at: input.requiresApproval ? null : now,
        ended_at: null,
        ended_by: null,
        end_reason: null,
        latency_threshold_ms: null,
        latency_snapshot: null,
        promotion_request: null,
        last_evaluation: null,
        evaluated_at: null,
      };
      await trx.insertInto('deployment_canaries').values(canary).execute();
      await new RevisionRepository(trx).bump('deployments');
      const result = await readCanary(trx, canary.id, input.deployment);
      return { result, audit: [canaryAudit(input.actor, 'canary.start', { canary: result, before: null, after: summary(result) })] };
    });
  }

  /** Starts a pending canary; only a principal other than its author may. */
  approve(input: { deployment: string; actor: string }): Promise<Canary> {
    return this.audit.change(async (trx) => {
      const row = await requireDeployment(trx, input.deployment);
      const canary = await openCanary(trx, row.id);
      if (canary?.status !== 'pending')
        throw new FenerError('conflict', `deployment "${input.deployment}" has no canary waiting for approval`);
      if (canary.created_by === input.actor) {
        throw new FenerError('forbidden', 'a change must be approved by a different person than its author');
      }
      await trx
        .updateTable('deployment_canaries')
        .set({ status: 'running', approved_by: input.actor, started_at: Date.now() })
        .where('id', '=', canary.id)
        .where('status', '=', 'pending')
        .execute();
      await new RevisionRepository(trx).bump('deployments');
      const result = await readCanary(trx, canary.id, input.deployment);
      return {
        result,
        audit: [
          canaryAudit(input.actor, 'canary.approve', { canary: result, before: { status: 'pending' }, after: { status: 'running' } }),
        ],
      };
    });
  }

  /** Records a manual promotion that waits for a second person. */
  requestPromotion(input: { id: string; deployment: string; variant: string; actor: string }): Promise<Canary> {
    return this.audit.change(async (trx) => {
      const request: PromotionRequest = { variant: input.variant, requested_by: input.actor, at: Date.now() };
      const result = await trx
        .updateTable('deployment_canaries')
        .set({ promotion_request: JSON.stringify(request) })
        .where('id', '=', input.id)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new FenerError('conflict', `the canary of "${input.deployment}" is not running`);
      const canary = await readCanary(trx, input.id, input.deployment);
      return { result: canary, audit: [canaryAudit(input.actor, 'canary.promotion_request', { canary, before: null, after: request })] };
    });
  }

  /**
   * Ends a canary: `promote` makes the variant's version the deployment's active version,
   * `rollback` and `abort` leave the baseline serving. Returns undefined when the canary is no
   * longer in the state expected (another replica or person decided first).
   */
  decide(input: {
    id: string;
    action: 'promote' | 'rollback' | 'abort';
    variant?: string;
    evidence: unknown;
    actor: string;
    reason: string;
    approvedBy?: string;
  }): Promise<Canary | undefined> {
    return this.audit.change(async (trx) => {
      const stored = await trx.selectFrom('deployment_canaries').selectAll().where('id', '=', input.id).executeTakeFirst();
      if (!stored || (stored.status !== 'running' && !(input.action === 'abort' && stored.status === 'pending'))) {
        return { result: undefined, audit: [] };
      }
      const row = await trx.selectFrom('deployments').selectAll().where('id', '=', stored.deployment_id).executeTakeFirstOrThrow();
      const before = await activeVersion(trx, row);
      if (input.action === 'promote') await promoteVariant(trx, row, { ...input, stored });
      const status: CanaryStatus = input.action === 'promote' ? 'promoted' : input.action === 'rollback' ? 'rolled_back' : 'aborted';
      const now = Date.now();
      await trx
        .updateTable('deployment_canaries')
        .set({ status, ended_at: now, ended_by: input.actor, end_reason: input.reason })
        .where('id', '=', input.id)
        .execute();
      const last = await trx
        .selectFrom('canary_decisions')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('canary_id', '=', input.id)
        .executeTakeFirst();
      const evidence = { reason: input.reason, ...(input.variant ? { variant: input.variant } : {}), evidence: input.evidence };
      await trx
        .insertInto('canary_decisions')
        .values({
          canary_id: input.id,
          seq: Number(last?.seq ?? 0) + 1,
          at: now,
          action: input.action,
          actor: input.actor,
          evidence: JSON.stringify(evidence),
        })
        .execute();
      await new RevisionRepository(trx).bump('deployments');
      const canary = await readCanary(trx, input.id, row.name);
      const after = await activeVersion(trx, row);
      const audit = canaryAudit(input.actor, `canary.${input.action}`, {
        canary,
        before: { active: before },
        after: { active: after, ...evidence },
      });
      return { result: canary, audit: [audit] };
    });
  }

  /** The deployment's latest canary, whatever its state. */
  async current(deployment: string): Promise<Canary | undefined> {
    const row = await requireDeployment(this.db, deployment);
    const latest = await this.db
      .selectFrom('deployment_canaries')
      .select('id')
      .where('deployment_id', '=', row.id)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return latest ? readCanary(this.db, latest.id, deployment) : undefined;
  }

  /** Every running canary, for the evaluator. */
  async running(): Promise<Canary[]> {
    const rows = await this.db
      .selectFrom('deployment_canaries')
      .innerJoin('deployments', 'deployments.id', 'deployment_canaries.deployment_id')
      .select(['deployment_canaries.id', 'deployments.name'])
      .where('deployment_canaries.status', '=', 'running')
      .execute();
    return Promise.all(rows.map((row) => readCanary(this.db, row.id, row.name)));
  }

  /** Running canaries with each variant's spec, for the resolver's in-memory table. */
  async activeAll(): Promise<ActiveCanary[]> {
    const active: ActiveCanary[] = [];
    for (const canary of await this.running()) {
      const row = await requireDeployment(this.db, canary.deployment);
      const variants: ActiveCanary['variants'] = [];
      for (const variant of canary.variants) {
        const stored = await versionRow(this.db, row, variant.version);
        if (!stored) throw new FenerError('internal', `canary ${canary.id} names missing version ${variant.version}`);
        const { prompt, model, parameters, fallbacks } = toDeploymentVersion(stored);
        variants.push({ ...variant, prompt, model, parameters, fallbacks });
      }
      active.push({ id: canary.id, deployment: canary.deployment, baseline: canary.baseline, variants });
    }
    return active;
  }

  /** Adds observations; increments for one key must be summed by the caller first (one row each). */
  async addCounts(increments: CanaryCountIncrement[]): Promise<void> {
    if (increments.length === 0) return;
    await this.db
      .insertInto('canary_counts')
      .values(increments.map((item) => ({ canary_id: item.canaryId, variant: item.variant, metric: item.metric, count: item.count })))
      .onConflict((conflict) =>
        conflict.columns(['canary_id', 'variant', 'metric']).doUpdateSet({ count: sql`canary_counts.count + excluded.count` }),
      )
      .execute();
  }

  async counts(canaryId: string): Promise<CanaryCounts> {
    const rows = await this.db.selectFrom('canary_counts').selectAll().where('canary_id', '=', canaryId).execute();
    const counts: CanaryCounts = {};
    for (const row of rows) (counts[row.variant] ??= {})[row.metric] = Number(row.count);
    return counts;
  }

  /** Stores the latest evaluation of a running canary, and the latency bound once it is fixed. */
  async saveEvaluation(input: {
    id: string;
    evaluation: unknown;
    latency?: { thresholdMs: number; snapshot: Record<string, { n: number; over: number }> };
  }): Promise<void> {
    await this.db
      .updateTable('deployment_canaries')
      .set({
        last_evaluation: JSON.stringify(input.evaluation),
        evaluated_at: Date.now(),
        ...(input.latency
          ? { latency_threshold_ms: input.latency.thresholdMs, latency_snapshot: JSON.stringify(input.latency.snapshot) }
          : {}),
      })
      .where('id', '=', input.id)
      .where('status', '=', 'running')
      .execute();
  }
}

/** The version a variant serves: a new spec becomes a `candidate` version; neither means the active one. */
async function variantVersion(
  trx: Executor,
  row: DeploymentRow,
  input: { variant: CanaryVariantInput; actor: string; activeVersion: number },
): Promise<CanaryVariant> {
  const { variant, actor } = input;
  if (variant.spec) {
    const version = await nextVersion(trx, row);
    await insertVersion(trx, row, {
      name: row.name,
      actor,
      requiresApproval: false,
      candidate: true,
      spec: variant.spec,
      version,
      sourceVersion: null,
    });
    return { name: variant.name, percent: variant.percent, version };
  }
  const version = variant.version ?? input.activeVersion;
  const stored = await versionRow(trx, row, version);
  if (!stored) throw new FenerError('not_found', `deployment "${row.name}" has no version ${version}`, { param: 'variants' });
  if (stored.status === 'pending') {
    throw new FenerError('conflict', `version ${version} of "${row.name}" is waiting for approval; approve it first`, {
      param: 'variants',
    });
  }
  return { name: variant.name, percent: variant.percent, version };
}

async function promoteVariant(
  trx: Executor,
  row: DeploymentRow,
  input: { stored: CanaryRow; variant?: string; actor: string; approvedBy?: string },
): Promise<void> {
  const { stored } = input;
  const variants = JSON.parse(stored.variants) as CanaryVariant[];
  const variant = variants.find((candidate) => candidate.name === input.variant);
  if (!variant) throw new FenerError('not_found', `the canary has no variant "${input.variant ?? ''}"`, { param: 'variant' });
  await trx
    .updateTable('deployment_versions')
    .set({ status: 'approved', approved_by: input.approvedBy ?? input.actor })
    .where('deployment_id', '=', row.id)
    .where('version', '=', variant.version)
    .where('status', '=', 'candidate')
    .execute();
  await activate(trx, row, variant.version);
}

/**
 * Ends the pending or running canary of a deployment inside another change (a manual rollback
 * is an emergency stop: it wins over the canary). Returns the audit entry to append.
 */
export async function abortOpenCanary(
  trx: Executor,
  deploymentId: string,
  by: { actor: string; reason: string },
): Promise<AuditInput | undefined> {
  const { actor, reason } = by;
  const canary = await openCanary(trx, deploymentId);
  if (!canary) return undefined;
  await trx
    .updateTable('deployment_canaries')
    .set({ status: 'aborted', ended_at: Date.now(), ended_by: actor, end_reason: reason })
    .where('id', '=', canary.id)
    .execute();
  const row = await trx.selectFrom('deployments').select('name').where('id', '=', deploymentId).executeTakeFirstOrThrow();
  return {
    actor,
    action: 'canary.abort',
    objectType: 'deployment',
    objectId: row.name,
    before: { canary: canary.id, status: canary.status },
    after: { canary: canary.id, status: 'aborted', reason },
  };
}

/** The pending or running canary of a deployment, if any. */
export async function openCanary(db: Executor, deploymentId: string): Promise<CanaryRow | undefined> {
  return db
    .selectFrom('deployment_canaries')
    .selectAll()
    .where('deployment_id', '=', deploymentId)
    .where('status', 'in', ['pending', 'running'])
    .executeTakeFirst();
}

function summary(canary: Canary): Record<string, unknown> {
  return { canary: canary.id, status: canary.status, baseline: canary.baseline, variants: canary.variants, settings: canary.settings };
}

function canaryAudit(actor: string, action: string, change: { canary: Canary; before: unknown; after: unknown }): AuditInput {
  const { canary, before, after } = change;
  return { actor, action, objectType: 'deployment', objectId: canary.deployment, before, after: { canary: canary.id, ...asObject(after) } };
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}
