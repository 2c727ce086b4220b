/**
 * Runs an experiment: every item × every variant, through the gateway, with bounded
 * concurrency and retries, results stored per item as they finish. A run that stopped (crash,
 * Ctrl-C, abort) is resumed by id: finished (variant, item) pairs are skipped, the rest run.
 */
import { setMaxListeners } from 'node:events';
import { FenerError, newId } from '../core/index.js';
import { resultKey, type EvalResult, type EvalRun, type Store } from '../store/index.js';
import { collectResults, summarise, type RunSummary } from './aggregate.js';
import { completeWithRetries, type EvalClient } from './client.js';
import { parseExperiment, resolveVariants, type ExperimentDefinition, type ResolvedVariant } from './definition.js';
import type { EvalItem, ItemSource } from './items.js';
import { inputText, judgeScores, runJudge } from './judge.js';
import { silentProgress, type ProgressSink, type ProgressState } from './progress.js';
import { ResultWriter } from './result-writer.js';
import { checkMetrics, scoreMetrics } from './scoring.js';

export interface RunExperimentOptions {
  store: Store;
  client: EvalClient;
  /** The experiment; omitted when resuming (the stored one is used). */
  definition?: ExperimentDefinition;
  /** Builds the item source of a definition (file paths, inline items, datasets). */
  source: (definition: ExperimentDefinition) => ItemSource;
  actor: string;
  /** Continue this run instead of starting a new one. */
  resume?: string;
  progress?: ProgressSink;
  signal?: AbortSignal;
  /** Called once the run exists, before any item runs (the API answers with its id then). */
  onStart?: (run: EvalRun) => void;
  writer?: { batchSize: number; intervalMs: number };
}

export interface RunOutcome {
  run: EvalRun;
  summary: RunSummary;
}

/** Whatever would fail every item alike is refused before the run starts (or resumes), naming the field. */
function checkDefinition(definition: ExperimentDefinition, client: EvalClient): ResolvedVariant[] {
  const variants = resolveVariants(definition);
  checkMetrics(definition.metrics);
  if (client.checkModel) {
    const named = [
      ...variants.map((variant, index) => ({ model: variant.model, field: `variants.${index}.model` })),
      ...definition.judges.map((judge, index) => ({ model: judge.model, field: `judges.${index}.model` })),
    ];
    for (const { model, field } of named) {
      try {
        client.checkModel(model);
      } catch (error) {
        if (!(error instanceof FenerError)) throw error;
        throw new FenerError('invalid_request', `${field}: ${error.message}`, { param: field });
      }
    }
  }
  return variants;
}

async function openRun(
  options: RunExperimentOptions,
): Promise<{ run: EvalRun; definition: ExperimentDefinition; variants: ResolvedVariant[] }> {
  if (options.resume !== undefined) {
    const run = await options.store.evals.requireRun(options.resume);
    if (run.status === 'completed')
      throw new FenerError('conflict', `run ${run.id} is already completed; start a new run instead`, { param: 'resume' });
    const definition = parseExperiment(run.config);
    const variants = checkDefinition(definition, options.client);
    await options.store.evals.updateRun(run.id, { status: 'running', error: null });
    return { run: { ...run, status: 'running' }, definition, variants };
  }
  if (!options.definition) throw new FenerError('invalid_request', 'an experiment definition is required', { param: 'definition' });
  const definition = options.definition;
  const variants = checkDefinition(definition, options.client);
  const run = await options.store.evals.createRun({
    id: `run_${newId('req').slice(4)}`,
    experiment: definition.name,
    config: definition as unknown as Record<string, unknown>,
    seed: definition.seed,
    actor: options.actor,
  });
  return { run, definition, variants };
}

export async function runExperiment(options: RunExperimentOptions): Promise<RunOutcome> {
  const { store } = options;
  const { run, definition, variants } = await openRun(options);
  options.onStart?.(run);
  const source = options.source(definition);
  const internal = new AbortController();
  // One listener per task in flight is expected on the run's signal.
  setMaxListeners(definition.concurrency + 10, internal.signal);
  const abort = (): void => internal.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  const progress = options.progress ?? silentProgress;
  const writer = new ResultWriter(store, options.writer);
  const state: ProgressState = { done: 0, total: null, errors: 0, skipped: 0, startedAt: Date.now() };
  try {
    const items = await source.count();
    state.total = items * variants.length;
    await store.evals.updateRun(run.id, { totalItems: items });
    const finished = await store.evals.finishedKeys(run.id);
    await schedule({ options, definition, variants, source, finished, writer, state, progress, runId: run.id, signal: internal.signal });
    await writer.flush();
  } catch (error) {
    internal.abort();
    await writer.flush().catch(() => undefined);
    const cancelled = options.signal?.aborted === true;
    await store.evals.updateRun(run.id, {
      status: cancelled ? 'cancelled' : 'failed',
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  progress.finish(state);
  if (options.signal?.aborted) {
    await store.evals.updateRun(run.id, { status: 'cancelled', error: 'stopped before every item ran; resume it to finish' });
    throw new FenerError('unavailable', `run ${run.id} was stopped; resume it with its id`);
  }
  const summary = await summariseRun(store, run.id, definition);
  await store.evals.updateRun(run.id, {
    status: 'completed',
    summary: summary as unknown as Record<string, unknown>,
    error: null,
    finished: true,
  });
  return { run: await store.evals.requireRun(run.id), summary };
}

export async function summariseRun(store: Store, runId: string, definition: ExperimentDefinition): Promise<RunSummary> {
  const variants = resolveVariants(definition);
  const results: EvalResult[] = [];
  await collectResults(store, runId, (result) => results.push(result));
  return summarise({
    runId,
    experiment: definition.name,
    seed: definition.seed,
    bootstrap: definition.bootstrap,
    variants: variants.map((variant) => ({ name: variant.name, model: variant.model })),
    results,
  });
}

interface Schedule {
  options: RunExperimentOptions;
  definition: ExperimentDefinition;
  variants: ResolvedVariant[];
  source: ItemSource;
  finished: Set<string>;
  writer: ResultWriter;
  state: ProgressState;
  progress: ProgressSink;
  runId: string;
  signal: AbortSignal;
}

/** Feeds item × variant tasks to at most `concurrency` workers; the first fatal error stops it. */
async function schedule(plan: Schedule): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let fatal: unknown;
  const controller = plan.signal;
  outer: for await (const item of plan.source.items()) {
    for (const variant of plan.variants) {
      if (fatal !== undefined || controller.aborted) break outer;
      if (plan.finished.has(resultKey(variant.name, item.id))) {
        plan.state.done++;
        plan.state.skipped++;
        continue;
      }
      while (inFlight.size >= plan.definition.concurrency) await Promise.race(inFlight);
      const task: Promise<void> = runOne(plan, item, variant)
        .catch((error: unknown) => {
          fatal ??= error;
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
  }
  await Promise.all(inFlight);
  if (fatal !== undefined) throw fatal;
}

/**
 * Each task gets its own signal, linked to the run's for as long as the task lasts: upstream
 * calls add abort listeners to the signal they are given, and thousands of tasks sharing the
 * run's signal would pile them up on it.
 */
async function runOne(plan: Schedule, item: EvalItem, variant: ResolvedVariant): Promise<void> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  plan.signal.addEventListener('abort', abort, { once: true });
  try {
    await runTask({ ...plan, signal: controller.signal }, item, variant);
  } finally {
    plan.signal.removeEventListener('abort', abort);
  }
}

async function runTask(plan: Schedule, item: EvalItem, variant: ResolvedVariant): Promise<void> {
  const { definition } = plan;
  const metadata = { run: plan.runId, variant: variant.name, item: item.id };
  const variables =
    item.variables === undefined && variant.variables === undefined ? undefined : { ...variant.variables, ...item.variables };
  const base = { runId: plan.runId, variant: variant.name, itemId: item.id, itemIndex: item.index, createdAt: Date.now() };
  let completion;
  try {
    completion = await completeWithRetries(
      plan.options.client,
      { model: variant.model, messages: item.messages, parameters: variant.parameters, variables, metadata, signal: plan.signal },
      { retries: definition.retries },
    );
  } catch (error) {
    if (plan.signal.aborted) return; // stopped, not failed: the item runs again on resume
    if (isDefinitionError(error)) throw error;
    record(plan, {
      ...base,
      status: 'error',
      output: null,
      scores: {},
      latencyMs: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      traceId: null,
      error: messageOf(error),
    });
    return;
  }
  const scores = scoreMetrics(definition.metrics, completion.output, item.expected);
  let judgeError: string | null = null;
  for (const judge of definition.judges) {
    try {
      const verdict = await runJudge(plan.options.client, judge, {
        values: { input: inputText(item.messages, variables), output: completion.output, expected: item.expected[0] ?? '' },
        seed: definition.seed,
        retries: definition.retries,
        metadata,
        signal: plan.signal,
      });
      Object.assign(scores, judgeScores(judge, verdict));
    } catch (error) {
      if (plan.signal.aborted) return;
      if (isDefinitionError(error)) throw error;
      judgeError = `judge ${judge.name}: ${messageOf(error)}`;
    }
  }
  record(plan, {
    ...base,
    status: judgeError === null ? 'ok' : 'error',
    output: completion.output,
    scores,
    latencyMs: completion.latencyMs,
    inputTokens: completion.inputTokens,
    outputTokens: completion.outputTokens,
    // The candidate's own cost: what judging costs is not what running this variant costs.
    costUsd: completion.costUsd,
    traceId: completion.traceId,
    error: judgeError,
  });
}

function record(plan: Schedule, result: EvalResult): void {
  plan.writer.add(result);
  plan.state.done++;
  if (result.status === 'error') plan.state.errors++;
  plan.progress.update(plan.state);
}

/** An unknown model or a bad prompt fails every item alike: stop the run rather than record 10,000 errors. */
function isDefinitionError(error: unknown): boolean {
  return error instanceof FenerError && (error.code === 'model_not_found' || error.code === 'unauthorized' || error.code === 'forbidden');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
