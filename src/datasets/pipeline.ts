/**
 * Preparation pipelines: steps declared in YAML or JSON, run in one pass over the input version.
 * Every item flows through the steps in order and each step's output goes to its own pending
 * version, so N steps cost one read of the input and produce N recorded versions, chained by
 * lineage (step k's parent is step k−1's version). A step that changes nothing yields the
 * version it was given (identical content, same version). If any step fails, every pending
 * version is discarded.
 */
import { parse as parseYaml } from 'yaml';
import { FenerError } from '../core/index.js';
import type { Dataset, DatasetVersion, Store, VersionWriter } from '../store/index.js';
import { parseBody } from './item.js';
import { issueText } from './record.js';
import { stepNames, stepSchemas, type Pipeline, type StepDefinition } from './steps/schema.js';
import { createStep, type StepRunner, type WorkItem } from './steps/steps.js';

export interface StepReport {
  step: string;
  version: number;
  created: boolean;
  itemCount: number;
  dropped: number;
  stats: Record<string, unknown>;
}

export interface PipelineReport {
  fromVersion: number;
  steps: StepReport[];
  /** The version the last step produced. */
  finalVersion: number;
}

/** Parses a pipeline document (YAML is a superset of JSON); errors name the step and field. */
export function parsePipeline(text: string): Pipeline {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new FenerError('invalid_request', `pipeline: not valid YAML or JSON (${(error as Error).message})`, { param: 'pipeline' });
  }
  return validatePipeline(document);
}

export function validatePipeline(document: unknown): Pipeline {
  const steps = Array.isArray(document) ? document : (document as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new FenerError('invalid_request', 'pipeline: expected {steps: [...]} with at least one step', { param: 'pipeline.steps' });
  }
  return {
    steps: steps.map((raw: unknown, index): StepDefinition => {
      const name = (raw as { step?: unknown } | null)?.step;
      const param = `pipeline.steps.${index}`;
      if (typeof name !== 'string' || !(name in stepSchemas)) {
        throw new FenerError('invalid_request', `${param}.step: expected one of ${stepNames.join(', ')}`, { param: `${param}.step` });
      }
      const result = stepSchemas[name as keyof typeof stepSchemas].safeParse(raw);
      if (!result.success) throw new FenerError('invalid_request', `${param} (${name}): ${issueText(result.error)}`, { param });
      return result.data as StepDefinition;
    }),
  };
}

export interface RunPipelineOptions {
  dataset: Dataset;
  from: DatasetVersion;
  pipeline: Pipeline;
  actor: string;
  onProgress?: (read: number, total: number) => void;
}

async function commitAll(run: {
  writers: VersionWriter[];
  runners: StepRunner[];
  from: DatasetVersion;
  dropped: number[];
}): Promise<StepReport[]> {
  const { writers, runners, from, dropped } = run;
  const reports: StepReport[] = [];
  let parent = from.version;
  for (const [index, writer] of writers.entries()) {
    const stats = { ...runners[index]!.stats(), dropped: dropped[index] ?? 0 };
    const committed = await writer.commit(stats, { parentVersion: parent });
    reports.push({
      step: String(runners[index]!.params.step),
      version: committed.version,
      created: committed.created,
      itemCount: committed.itemCount,
      dropped: dropped[index] ?? 0,
      stats,
    });
    parent = committed.version;
  }
  return reports;
}

export async function runPipeline(store: Store, options: RunPipelineOptions): Promise<PipelineReport> {
  const { dataset, from } = options;
  const context = { store, expectedItems: from.itemCount };
  const runners: StepRunner[] = [];
  for (const definition of options.pipeline.steps) runners.push(await createStep(definition, context));
  const writers: VersionWriter[] = [];
  try {
    for (const [index, runner] of runners.entries()) {
      const source = { kind: 'pipeline', from_version: from.version, step_index: index, steps: runners.length };
      writers.push(
        await store.datasets.startVersion(dataset, {
          parentVersion: null,
          step: String(runner.params.step),
          params: runner.params,
          source,
          actor: options.actor,
        }),
      );
    }
    const dropped = runners.map(() => 0);
    let read = 0;
    for await (const page of store.datasets.iterate(from.id)) {
      const outputs: WorkItem[][] = runners.map(() => []);
      for (const stored of page) {
        let item: WorkItem | string = {
          id: stored.id,
          content: parseBody(stored.body),
          contentHash: stored.contentHash,
          split: stored.split,
        };
        for (const [index, runner] of runners.entries()) {
          item = runner.apply(item);
          if (typeof item === 'string') {
            dropped[index]!++;
            break;
          }
          outputs[index]!.push(item);
        }
      }
      for (const [index, writer] of writers.entries()) {
        const batch = outputs[index]!;
        await writer.add(
          batch.map((item) => ({
            id: item.id,
            contentHash: item.contentHash,
            split: item.split,
            ...(item.body === undefined ? {} : { body: item.body }),
          })),
        );
      }
      read += page.length;
      options.onProgress?.(read, from.itemCount);
    }
    const steps = await commitAll({ writers, runners, from, dropped });
    return { fromVersion: from.version, steps, finalVersion: steps.at(-1)?.version ?? from.version };
  } catch (error) {
    await Promise.allSettled(writers.map((writer) => writer.discard()));
    throw error;
  }
}
