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
import { RevisionRepository } from './revisions.js';
import type { Database, DeploymentCanariesTable } from './schema.js';

export type CanaryStatus = 'pending' | 'running' | 'promoted' | 'rolled_back' | 'aborted';

export interface CanaryVariant {
  name: string;
  /** Share of the deployment's traffic, 0–100; the variants of a canary add up to 100. */
  percent: number;
  /** The deployment version this variant serves. */
  version: number;
}

/** A variant as asked for: an existing version, a new spec (stored as a `candidate` version), or neither (the active version). */
export interface CanaryVariantInput {
  name: string;
  percent: number;
  version?: number;
  spec?: DeploymentSpec;
}

export interface CanaryDecision {
  seq: number;
  at: number;
  action: 'promote' | 'rollback' | 'abort';
  actor: string;
  evidence: unknown;
}

export interface PromotionRequest {
  variant: string;
  requested_by: string;
  at: number;
}

export interface Canary {
  id: string;
  deployment: string;
  status: CanaryStatus;
  baseline: string;
  variants: CanaryVariant[];
  settings: Record<string, unknown>;
  created_at: number;
  created_by: string;
  approved_by: string | null;
  started_at: number | null;
  ended_at: number | null;
  ended_by: string | null;
  end_reason: string | null;
  latency_threshold_ms: number | null;
  latency_snapshot: Record<string, { n: number; over: number }> | null;
  promotion_request: PromotionRequest | null;
  last_evaluation: unknown;
  evaluated_at: number | null;
  decisions: CanaryDecision[];
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
      for (const variant of input.variants) variants.push(await this.variantVersion(trx, row, variant, input.actor, active.version));
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
      return { result, audit: [canaryAudit(input.actor, 'canary.start', result, null, summary(result))] };
    });
  }

  private async variantVersion(
    trx: Executor,
    row: DeploymentRow,
    variant: CanaryVariantInput,
    actor: string,
    activeVersionNumber: number,
  ): Promise<CanaryVariant> {
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
    const version = variant.version ?? activeVersionNumber;
    const stored = await versionRow(trx, row, version);
    if (!stored) throw new FenerError('not_found', `deployment "${row.name}" has no version ${version}`, { param: 'variants' });
    if (stored.status === 'pending') {
      throw new FenerError('conflict', `version ${version} of "${row.name}" is waiting for approval; approve it first`, {
        param: 'variants',
      });
    }
    return { name: variant.name, percent: variant.percent, version };
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
      return { result, audit: [canaryAudit(input.actor, 'canary.approve', result, { status: 'pending' }, { status: 'running' })] };
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
      return { result: canary, audit: [canaryAudit(input.actor, 'canary.promotion_request', canary, null, request)] };
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
      if (input.action === 'promote') await promoteVariant(trx, row, stored, input);
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
      const audit = canaryAudit(input.actor, `canary.${input.action}`, canary, { active: before }, { active: after, ...evidence });
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

async function promoteVariant(
  trx: Executor,
  row: DeploymentRow,
  stored: CanaryRow,
  input: { variant?: string; actor: string; approvedBy?: string },
): Promise<void> {
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
export async function abortOpenCanary(trx: Executor, deploymentId: string, actor: string, reason: string): Promise<AuditInput | undefined> {
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

async function readCanary(db: Executor, id: string, deployment: string): Promise<Canary> {
  const row = await db.selectFrom('deployment_canaries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const decisions = await db.selectFrom('canary_decisions').selectAll().where('canary_id', '=', id).orderBy('seq').execute();
  return {
    id: row.id,
    deployment,
    status: row.status as CanaryStatus,
    baseline: row.baseline,
    variants: JSON.parse(row.variants) as CanaryVariant[],
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    created_at: Number(row.created_at),
    created_by: row.created_by,
    approved_by: row.approved_by,
    started_at: numberOrNull(row.started_at),
    ended_at: numberOrNull(row.ended_at),
    ended_by: row.ended_by,
    end_reason: row.end_reason,
    latency_threshold_ms: numberOrNull(row.latency_threshold_ms),
    latency_snapshot: parseOrNull(row.latency_snapshot) as Canary['latency_snapshot'],
    promotion_request: parseOrNull(row.promotion_request) as PromotionRequest | null,
    last_evaluation: parseOrNull(row.last_evaluation),
    evaluated_at: numberOrNull(row.evaluated_at),
    decisions: decisions.map((decision) => ({
      seq: Number(decision.seq),
      at: Number(decision.at),
      action: decision.action as CanaryDecision['action'],
      actor: decision.actor,
      evidence: JSON.parse(decision.evidence) as unknown,
    })),
  };
}

function numberOrNull(value: number | null): number | null {
  return value === null ? null : Number(value);
}

function parseOrNull(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

function summary(canary: Canary): Record<string, unknown> {
  return { canary: canary.id, status: canary.status, baseline: canary.baseline, variants: canary.variants, settings: canary.settings };
}

function canaryAudit(actor: string, action: string, canary: Canary, before: unknown, after: unknown): AuditInput {
  return { actor, action, objectType: 'deployment', objectId: canary.deployment, before, after: { canary: canary.id, ...asObject(after) } };
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}

/** Migration `0010_canary`: canaries, their counters and their decisions. */
export async function createCanaryTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deployment_canaries')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('deployment_id', 'text', (column) => column.notNull().references('deployments.id'))
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('baseline', 'text', (column) => column.notNull())
    .addColumn('variants', 'text', (column) => column.notNull())
    .addColumn('settings', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('ended_by', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('latency_threshold_ms', 'double precision')
    .addColumn('latency_snapshot', 'text')
    .addColumn('promotion_request', 'text')
    .addColumn('last_evaluation', 'text')
    .addColumn('evaluated_at', 'bigint')
    .execute();
  await db.schema.createIndex('deployment_canaries_deployment').on('deployment_canaries').columns(['deployment_id', 'status']).execute();
  await db.schema
    .createTable('canary_counts')
    .addColumn('canary_id', 'text', (column) => column.notNull().references('deployment_canaries.id'))
    .addColumn('variant', 'text', (column) => column.notNull())
    .addColumn('metric', 'text', (column) => column.notNull())
    .addColumn('count', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('canary_counts_pk', ['canary_id', 'variant', 'metric'])
    .execute();
  await db.schema
    .createTable('canary_decisions')
    .addColumn('canary_id', 'text', (column) => column.notNull().references('deployment_canaries.id'))
    .addColumn('seq', 'integer', (column) => column.notNull())
    .addColumn('at', 'bigint', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('evidence', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('canary_decisions_pk', ['canary_id', 'seq'])
    .execute();
}
