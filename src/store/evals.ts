/**
 * Evaluation runs, their per-item results, and online evaluators with the scores they gave live
 * traces. The tables are declared in evals-tables.ts (migration `0009_evals`) and reached through
 * `withTables`, so the shared schema file does not grow with them. Results are written per item
 * as they finish and keyed by (run, variant, item): writing one twice is a no-op, which is what
 * makes a resumed run safe.
 */
import type { Kysely } from 'kysely';
import type { EvalOnlineEvaluatorsTable, EvalResultsTable, EvalRunsTable, EvalTables } from './evals-tables.js';
import { FenerError } from '../core/index.js';
import type { Database } from './schema.js';

export type EvalRunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface EvalRun {
  id: string;
  experiment: string;
  status: EvalRunStatus;
  /** The experiment definition the run was started with (variants, metrics, judges, seed…). */
  config: Record<string, unknown>;
  seed: number;
  totalItems: number | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  createdBy: string;
  /** Aggregates written when the run finished. */
  summary: Record<string, unknown> | null;
  error: string | null;
}

export interface EvalResult {
  runId: string;
  variant: string;
  itemId: string;
  itemIndex: number;
  status: 'ok' | 'error';
  output: string | null;
  scores: Record<string, number>;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Null when the client could not know it (a run through HTTP). */
  costUsd: number | null;
  traceId: string | null;
  error: string | null;
  createdAt: number;
}

export interface OnlineEvaluatorRecord {
  name: string;
  definition: Record<string, unknown>;
  sampleRate: number;
  enabled: boolean;
  cursor: { at: number; id: string };
  createdAt: number;
  updatedAt: number;
}

export interface OnlineScore {
  traceId: string;
  evaluator: string;
  score: number | null;
  details: Record<string, unknown> | null;
  createdAt: number;
}

/** A trace as an online evaluator reads it: what was asked and what came back. */
export interface TraceForEvaluation {
  id: string;
  createdAt: number;
  model: string;
  status: string;
  requestBody: unknown;
  responseBody: unknown;
  latencyMs: number;
  costUsd: number;
}

/** SQLite allows 32,766 bound parameters: 500 rows of 14 columns stay well under. */
const rowsPerInsert = 500;

export class EvalRepository {
  private readonly db: Kysely<EvalTables & Database>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<EvalTables>();
  }

  async createRun(input: {
    id: string;
    experiment: string;
    config: Record<string, unknown>;
    seed: number;
    actor: string;
  }): Promise<EvalRun> {
    const now = Date.now();
    const row: EvalRunsTable = {
      id: input.id,
      experiment: input.experiment,
      status: 'running',
      config: JSON.stringify(input.config),
      seed: input.seed,
      total_items: null,
      created_at: now,
      updated_at: now,
      finished_at: null,
      created_by: input.actor,
      summary: null,
      error: null,
    };
    await this.db.insertInto('eval_runs').values(row).execute();
    return toRun(row);
  }

  async getRun(id: string): Promise<EvalRun | undefined> {
    const row = await this.db.selectFrom('eval_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRun(row);
  }

  async requireRun(id: string): Promise<EvalRun> {
    const run = await this.getRun(id);
    if (!run) throw new FenerError('not_found', `no evaluation run "${id}"`, { param: 'run' });
    return run;
  }

  /** Newest first. */
  async listRuns(filter: { experiment?: string; limit?: number } = {}): Promise<EvalRun[]> {
    let query = this.db.selectFrom('eval_runs').selectAll();
    if (filter.experiment !== undefined) query = query.where('experiment', '=', filter.experiment);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(Math.max(filter.limit ?? 50, 1), 500))
      .execute();
    return rows.map(toRun);
  }

  /** One line per experiment name: how many runs and the latest one. */
  async listExperiments(): Promise<{ experiment: string; runs: number; lastRunAt: number }[]> {
    const rows = await this.db
      .selectFrom('eval_runs')
      .select((eb) => ['experiment', eb.fn.countAll().as('runs'), eb.fn.max('created_at').as('last')])
      .groupBy('experiment')
      .orderBy('experiment')
      .execute();
    return rows.map((row) => ({ experiment: row.experiment, runs: Number(row.runs), lastRunAt: Number(row.last) }));
  }

  async updateRun(
    id: string,
    change: { status?: EvalRunStatus; totalItems?: number; summary?: Record<string, unknown>; error?: string | null; finished?: boolean },
  ): Promise<void> {
    const now = Date.now();
    await this.db
      .updateTable('eval_runs')
      .set({
        updated_at: now,
        ...(change.status === undefined ? {} : { status: change.status }),
        ...(change.totalItems === undefined ? {} : { total_items: change.totalItems }),
        ...(change.summary === undefined ? {} : { summary: JSON.stringify(change.summary) }),
        ...(change.error === undefined ? {} : { error: change.error }),
        ...(change.finished === true ? { finished_at: now } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Idempotent: a result already stored for (run, variant, item) is kept as it was. */
  async saveResults(results: EvalResult[]): Promise<void> {
    if (results.length === 0) return;
    const rows = results.map(toResultRow);
    await this.db.transaction().execute(async (trx) => {
      for (let start = 0; start < rows.length; start += rowsPerInsert) {
        await trx
          .insertInto('eval_results')
          .values(rows.slice(start, start + rowsPerInsert))
          .onConflict((conflict) => conflict.columns(['run_id', 'variant', 'item_id']).doNothing())
          .execute();
      }
    });
  }

  /** `variant \0 item id` of every stored result, to skip them on resume. */
  async finishedKeys(runId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('eval_results').select(['variant', 'item_id']).where('run_id', '=', runId).execute();
    return new Set(rows.map((row) => resultKey(row.variant, row.item_id)));
  }

  async countResults(runId: string): Promise<number> {
    const row = await this.db
      .selectFrom('eval_results')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('run_id', '=', runId)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /** Results in item order, paged by item index; `withOutput: false` leaves the outputs out (aggregation). */
  async listResults(
    runId: string,
    options: { variant?: string; afterIndex?: number; limit?: number; withOutput?: boolean } = {},
  ): Promise<EvalResult[]> {
    let query = this.db.selectFrom('eval_results').selectAll().where('run_id', '=', runId);
    if (options.variant !== undefined) query = query.where('variant', '=', options.variant);
    if (options.afterIndex !== undefined) query = query.where('item_index', '>', options.afterIndex);
    const rows = await query
      .orderBy('item_index')
      .orderBy('variant')
      .limit(Math.min(Math.max(options.limit ?? 100, 1), 100_000))
      .execute();
    return rows.map((row) => toResult(options.withOutput === false ? { ...row, output: null } : row));
  }

  async saveEvaluator(input: {
    name: string;
    definition: Record<string, unknown>;
    sampleRate: number;
    enabled: boolean;
  }): Promise<OnlineEvaluatorRecord> {
    const now = Date.now();
    const values = {
      definition: JSON.stringify(input.definition),
      sample_rate: input.sampleRate,
      enabled: input.enabled ? 1 : 0,
      updated_at: now,
    };
    await this.db
      .insertInto('eval_online_evaluators')
      // A new evaluator starts at "now": it scores traffic from here on, not the whole history.
      .values({ name: input.name, ...values, cursor_at: now, cursor_id: '', created_at: now })
      .onConflict((conflict) => conflict.column('name').doUpdateSet(values))
      .execute();
    const saved = await this.getEvaluator(input.name);
    if (!saved) throw new FenerError('internal', `online evaluator "${input.name}" vanished after saving`);
    return saved;
  }

  async getEvaluator(name: string): Promise<OnlineEvaluatorRecord | undefined> {
    const row = await this.db.selectFrom('eval_online_evaluators').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toEvaluator(row);
  }

  async listEvaluators(): Promise<OnlineEvaluatorRecord[]> {
    const rows = await this.db.selectFrom('eval_online_evaluators').selectAll().orderBy('name').execute();
    return rows.map(toEvaluator);
  }

  async deleteEvaluator(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('eval_online_evaluators').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Traces after the cursor and before `before` (settled: their batch has surely been written), oldest first. */
  async tracesAfter(cursor: { at: number; id: string }, options: { before: number; limit: number }): Promise<TraceForEvaluation[]> {
    const rows = await this.db
      .selectFrom('traces')
      .select(['id', 'created_at', 'model', 'status', 'request_body', 'response_body', 'latency_ms', 'cost_usd'])
      .where('endpoint', '!=', 'embeddings')
      // Calls made by evaluations themselves (experiments, judges) are not live traffic.
      .where((where) => where.or([where('metadata', 'is', null), where('metadata', 'not like', '%"fener_eval"%')]))
      .where((where) =>
        where.or([where('created_at', '>', cursor.at), where.and([where('created_at', '=', cursor.at), where('id', '>', cursor.id)])]),
      )
      .where('created_at', '<', options.before)
      .orderBy('created_at')
      .orderBy('id')
      .limit(options.limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      createdAt: Number(row.created_at),
      model: row.model,
      status: row.status,
      requestBody: parseJson(row.request_body),
      responseBody: parseJson(row.response_body),
      latencyMs: row.latency_ms,
      costUsd: row.cost_usd,
    }));
  }

  /**
   * Moves the evaluator's cursor from `from` to `to` only if no one moved it meanwhile: the
   * process that gets `true` scores the batch, any other (a second worker, a replica) skips it.
   * Judge calls cost money, so a batch is scored at most once; a crash between the claim and the
   * save loses that batch's scores instead of paying for them twice.
   */
  async claimOnlineBatch(evaluator: string, from: { at: number; id: string }, to: { at: number; id: string }): Promise<boolean> {
    const result = await this.db
      .updateTable('eval_online_evaluators')
      .set({ cursor_at: to.at, cursor_id: to.id })
      .where('name', '=', evaluator)
      .where('cursor_at', '=', from.at)
      .where('cursor_id', '=', from.id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Stores scores and moves the evaluator's cursor in one transaction. */
  async saveOnlineScores(evaluator: string, scores: OnlineScore[], cursor: { at: number; id: string }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (scores.length > 0) {
        await trx
          .insertInto('eval_online_scores')
          .values(
            scores.map((score) => ({
              trace_id: score.traceId,
              evaluator: score.evaluator,
              score: score.score,
              details: score.details === null ? null : JSON.stringify(score.details),
              created_at: score.createdAt,
            })),
          )
          .onConflict((conflict) => conflict.columns(['trace_id', 'evaluator']).doNothing())
          .execute();
      }
      await trx
        .updateTable('eval_online_evaluators')
        .set({ cursor_at: cursor.at, cursor_id: cursor.id })
        .where('name', '=', evaluator)
        .execute();
    });
  }

  async listOnlineScores(filter: { traceId?: string; evaluator?: string; limit?: number } = {}): Promise<OnlineScore[]> {
    let query = this.db.selectFrom('eval_online_scores').selectAll();
    if (filter.traceId !== undefined) query = query.where('trace_id', '=', filter.traceId);
    if (filter.evaluator !== undefined) query = query.where('evaluator', '=', filter.evaluator);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('trace_id')
      .limit(Math.min(Math.max(filter.limit ?? 50, 1), 1000))
      .execute();
    return rows.map((row) => ({
      traceId: row.trace_id,
      evaluator: row.evaluator,
      score: row.score,
      details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
      createdAt: Number(row.created_at),
    }));
  }

  /** Per evaluator: how many traces were scored and the mean score. */
  async onlineSummary(): Promise<{ evaluator: string; count: number; mean: number | null }[]> {
    const rows = await this.db
      .selectFrom('eval_online_scores')
      .select((eb) => ['evaluator', eb.fn.countAll().as('count'), eb.fn.avg('score').as('mean')])
      .groupBy('evaluator')
      .orderBy('evaluator')
      .execute();
    return rows.map((row) => ({ evaluator: row.evaluator, count: Number(row.count), mean: row.mean === null ? null : Number(row.mean) }));
  }
}

export function resultKey(variant: string, itemId: string): string {
  return `${variant}\u0000${itemId}`;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toRun(row: EvalRunsTable): EvalRun {
  return {
    id: row.id,
    experiment: row.experiment,
    status: row.status as EvalRunStatus,
    config: JSON.parse(row.config) as Record<string, unknown>,
    seed: Number(row.seed),
    totalItems: row.total_items === null ? null : Number(row.total_items),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    createdBy: row.created_by,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as Record<string, unknown>),
    error: row.error,
  };
}

function toResultRow(result: EvalResult): EvalResultsTable {
  return {
    run_id: result.runId,
    variant: result.variant,
    item_id: result.itemId,
    item_index: result.itemIndex,
    status: result.status,
    output: result.output,
    scores: JSON.stringify(result.scores),
    latency_ms: result.latencyMs,
    input_tokens: result.inputTokens,
    output_tokens: result.outputTokens,
    cost_usd: result.costUsd,
    trace_id: result.traceId,
    error: result.error,
    created_at: result.createdAt,
  };
}

function toResult(row: EvalResultsTable): EvalResult {
  return {
    runId: row.run_id,
    variant: row.variant,
    itemId: row.item_id,
    itemIndex: Number(row.item_index),
    status: row.status === 'ok' ? 'ok' : 'error',
    output: row.output,
    scores: JSON.parse(row.scores) as Record<string, number>,
    latencyMs: row.latency_ms,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    costUsd: row.cost_usd,
    traceId: row.trace_id,
    error: row.error,
    createdAt: Number(row.created_at),
  };
}

function toEvaluator(row: EvalOnlineEvaluatorsTable): OnlineEvaluatorRecord {
  return {
    name: row.name,
    definition: JSON.parse(row.definition) as Record<string, unknown>,
    sampleRate: row.sample_rate,
    enabled: Number(row.enabled) === 1,
    cursor: { at: Number(row.cursor_at), id: row.cursor_id },
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
