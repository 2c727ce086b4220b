/** Canary types and reading a canary row back as the API shows it. */
import type { Canary, CanaryDecision, CanaryStatusName, CanaryVariant, PromotionRequest } from '../core/index.js';
import type { Executor } from './audit.js';

export type { Canary, CanaryDecision, CanaryVariant, PromotionRequest };
export type CanaryStatus = CanaryStatusName;

export async function readCanary(db: Executor, id: string, deployment: string): Promise<Canary> {
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
