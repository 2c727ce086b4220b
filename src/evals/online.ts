/**
 * Online evaluation: evaluators score a sample of live traces in the background, off the hot
 * path. Each evaluator keeps a cursor over the traces table; a tick reads a bounded batch of
 * settled traces after it (older than `settleMs`, so batches still in the trace recorder's queue
 * are not skipped), claims the batch by moving the cursor past it only if no other process moved
 * it first (workers and replicas all tick; each batch is scored by one), scores the sampled ones
 * and stores the scores. Sampling hashes the trace id, so any process makes the same choice.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { FenerError } from '../core/index.js';
import type { OnlineEvaluatorRecord, OnlineScore, Store, TraceForEvaluation } from '../store/index.js';
import type { EvalClient } from './client.js';
import { judgeSchema, metricSpecSchema } from './definition.js';
import { inputText, runJudge } from './judge.js';
import { computeMetric } from './metrics/index.js';
import { unitHash } from './stats/random.js';

export const onlineEvaluatorSchema = z
  .strictObject({
    sample_rate: z.number().min(0).max(1).describe('Share of traces scored, decided by a hash of the trace id'),
    enabled: z.boolean().default(true),
    metric: metricSpecSchema.optional().describe('A metric that needs no reference: json_valid, regex, length, …'),
    judge: judgeSchema.omit({ name: true }).optional().describe('An LLM judge; {{input}} and {{output}} are the call’s'),
    models: z.array(z.string().min(1)).optional().describe('Only traces of these requested model names'),
  })
  .refine((evaluator) => (evaluator.metric === undefined) !== (evaluator.judge === undefined), 'give exactly one of metric or judge');
export type OnlineEvaluatorInput = z.input<typeof onlineEvaluatorSchema>;
export type OnlineEvaluatorDefinition = z.output<typeof onlineEvaluatorSchema>;

export interface OnlineEvaluationOptions {
  store: Store;
  client: EvalClient;
  logger: Logger;
  intervalMs?: number;
  /** Traces younger than this are left for the next tick (default 5 s). */
  settleMs?: number;
  /** Traces read per evaluator per tick (default 200). */
  batchSize?: number;
}

/** The text a call produced, from the trace's stored response (chat result or assembled stream). */
export function outputOf(trace: TraceForEvaluation): string | undefined {
  const body = trace.responseBody as { message?: { content?: unknown } } | null;
  const content = body?.message?.content;
  return typeof content === 'string' ? content : undefined;
}

function inputOf(trace: TraceForEvaluation): string {
  const body = trace.requestBody as { messages?: unknown } | null;
  const messages = Array.isArray(body?.messages) ? (body.messages as { role: string; content: unknown }[]) : [];
  return inputText(messages, undefined);
}

/** Checks a definition (schema, and that a metric needs no reference) before it is stored. */
export function parseOnlineEvaluator(input: unknown): OnlineEvaluatorDefinition {
  const result = onlineEvaluatorSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    throw new FenerError('invalid_request', `${path === '' ? 'evaluator' : path}: ${issue?.message ?? 'invalid'}`, { param: path });
  }
  const metric = result.data.metric;
  if (metric) computeMetric({ metric: metric.metric, predictions: ['{}'], references: [], options: metric.options });
  return result.data;
}

export class OnlineEvaluation {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: OnlineEvaluationOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stops the loop and waits for a tick in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'online evaluation tick failed'))
        .finally(() => this.schedule());
    }, this.options.intervalMs ?? 2000);
    this.timer.unref();
  }

  /** One pass over every enabled evaluator; returns how many traces were scored. */
  async tick(now = Date.now()): Promise<number> {
    let scored = 0;
    for (const record of await this.options.store.evals.listEvaluators()) {
      if (!record.enabled || this.stopped) continue;
      scored += await this.evaluate(record, now);
    }
    return scored;
  }

  private async evaluate(record: OnlineEvaluatorRecord, now: number): Promise<number> {
    const definition = parseOnlineEvaluator(record.definition);
    const traces = await this.options.store.evals.tracesAfter(record.cursor, {
      before: now - (this.options.settleMs ?? 5000),
      limit: this.options.batchSize ?? 200,
    });
    const last = traces.at(-1);
    if (!last) return 0;
    const cursor = { at: last.createdAt, id: last.id };
    if (!(await this.options.store.evals.claimOnlineBatch(record.name, record.cursor, cursor))) return 0;
    const scores: OnlineScore[] = [];
    for (const trace of traces) {
      if (trace.status !== 'ok' || unitHash(`${record.name}:${trace.id}`) >= record.sampleRate) continue;
      if (definition.models && !definition.models.includes(trace.model)) continue;
      const output = outputOf(trace);
      if (output === undefined) continue;
      scores.push(await this.score({ evaluator: record.name, definition, trace, output }));
    }
    await this.options.store.evals.saveOnlineScores(record.name, scores, cursor);
    return scores.length;
  }

  private async score(task: {
    evaluator: string;
    definition: OnlineEvaluatorDefinition;
    trace: TraceForEvaluation;
    output: string;
  }): Promise<OnlineScore> {
    const { evaluator, definition, trace, output } = task;
    const createdAt = Date.now();
    if (definition.metric) {
      const result = computeMetric({
        metric: definition.metric.metric,
        predictions: [output],
        references: [],
        options: definition.metric.options,
      });
      const [key, value] = Object.entries(result.items[0] ?? {})[0] ?? [];
      return {
        traceId: trace.id,
        evaluator,
        score: value !== undefined && Number.isFinite(value) ? value : null,
        details: key === undefined ? null : { key },
        createdAt,
      };
    }
    try {
      const verdict = await runJudge(
        this.options.client,
        { ...definition.judge!, name: evaluator },
        { values: { input: inputOf(trace), output, expected: '' }, seed: 0, retries: 1, metadata: { online: evaluator, trace: trace.id } },
      );
      return {
        traceId: trace.id,
        evaluator,
        score: verdict.score,
        details: verdict.scores.length > 1 ? { scores: verdict.scores, variance: verdict.variance } : null,
        createdAt,
      };
    } catch (error) {
      return {
        traceId: trace.id,
        evaluator,
        score: null,
        details: { error: error instanceof Error ? error.message : String(error) },
        createdAt,
      };
    }
  }
}
