/** `fener eval select` (model selection) and `fener eval judge` (agreement of a judge with human labels). */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  attachToRegistry,
  humanLabelSchema,
  itemSourceFor,
  storedDatasets,
  judgeAgreement,
  licencesOf,
  runExperiment,
  selectModel,
  stderrProgress,
  type HumanLabel,
  type KappaWeights,
  type RunSummary,
  type SelectionConstraints,
} from '../../evals/index.js';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';
import { openEvalGateway } from './eval-gateway.js';
import { loadEvalFile, storedSummary } from './eval-files.js';

interface SelectOptions {
  evalConfig?: string;
  config?: string;
  run?: string;
  quality: string;
  minQuality?: string;
  maxCost?: string;
  maxLatencyMs?: string;
  licence?: string[];
  attach?: boolean;
  json?: boolean;
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new Error(`${name}: expected a number, got "${value}"`);
  return parsed;
}

function constraintsOf(options: SelectOptions): SelectionConstraints {
  const minQuality = number('--min-quality', options.minQuality);
  const maxCost = number('--max-cost', options.maxCost);
  const maxLatency = number('--max-latency-ms', options.maxLatencyMs);
  return {
    quality: options.quality,
    ...(minQuality === undefined ? {} : { minQuality }),
    ...(maxCost === undefined ? {} : { maxCostPerItemUsd: maxCost }),
    ...(maxLatency === undefined ? {} : { maxLatencyP95Ms: maxLatency }),
    ...(options.licence ? { licences: options.licence } : {}),
  };
}

function readLabels(path: string): HumanLabel[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const labels: HumanLabel[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new Error(`${path}:${index + 1}: not valid JSON`);
    }
    const parsed = humanLabelSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`${path}:${index + 1}: expected {"item_id": …, "label": NUMBER, "variant"?: …}`);
    labels.push(parsed.data);
  });
  return labels;
}

export function registerEvalSelectCommands(group: Command, globals: () => GlobalOptions): void {
  const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
  group
    .command('select')
    .description('candidate models side by side: quality, cost per item, latency p95, licence, the Pareto front and a recommendation')
    .option('--config <file>', 'an eval.yaml whose variants are the candidates (runs it)')
    .option('--eval-config <file>', 'the same as --config')
    .option('--run <run>', 'use a completed run instead of running one')
    .requiredOption('--quality <score>', 'the score that measures quality, e.g. exact_match, rougeL, judge.correct')
    .option('--min-quality <x>', 'recommend the cheapest candidate at or above this quality')
    .option('--max-cost <usd>', 'maximum cost per item, USD')
    .option('--max-latency-ms <ms>', 'maximum latency p95')
    .option('--licence <licence>', 'an allowed licence (repeatable)', collect)
    .option('--attach', 'record the results as evaluations of the registry versions evaluated (registry:NAME@… candidates)')
    .option('--json', 'print JSON')
    .action((options: SelectOptions) =>
      withStore(globals(), async (store, config) => {
        const constraints = constraintsOf(options);
        const gateway = await openEvalGateway(config, store, {});
        try {
          let summary: RunSummary;
          if (options.run !== undefined) summary = await storedSummary(store, options.run);
          else {
            const file = options.evalConfig ?? options.config;
            if (file === undefined) throw new Error('give --config eval.yaml or --run RUN_ID');
            const definition = loadEvalFile(file);
            summary = (
              await runExperiment({
                store,
                client: gateway.client,
                definition,
                source: (d) => itemSourceFor(d, storedDatasets(store)),
                actor: 'cli',
                progress: stderrProgress(),
              })
            ).summary;
          }
          const licences = await licencesOf(
            store,
            gateway.catalog,
            summary.variants.map((variant) => variant.model),
          );
          const selection = selectModel(summary, constraints, licences);
          const attached = options.attach ? await attachToRegistry(store, summary, 'cli') : undefined;
          if (options.json) return printJson({ run: summary.run_id, ...selection, ...(attached ? { registry: attached } : {}) });
          const rows = selection.rows.map((row) => [
            `${row.variant === selection.recommendation ? '* ' : '  '}${row.variant}`,
            row.quality === null ? 'n/a' : `${row.quality.toFixed(4)} [${row.quality_low!.toFixed(3)}, ${row.quality_high!.toFixed(3)}]`,
            row.cost_per_item_usd === null ? 'n/a' : `$${row.cost_per_item_usd.toPrecision(3)}`,
            `${Math.round(row.latency_p95_ms)} ms`,
            row.licence ?? '?',
            row.pareto ? 'yes' : '',
            row.eligible ? 'ok' : row.reasons.join('; '),
          ]);
          print(table([['CANDIDATE', selection.quality.toUpperCase(), 'COST/ITEM', 'P95', 'LICENCE', 'PARETO', 'CONSTRAINTS'], ...rows]));
          print(
            `\nrun ${summary.run_id}: ${selection.recommendation === null ? selection.explanation : `recommended: ${selection.recommendation} (${selection.explanation})`}`,
          );
          if (attached)
            print(`registry: ${attached.attached.length === 0 ? 'no candidate is a registry version' : attached.attached.join(', ')}`);
        } finally {
          await gateway.close();
        }
      }),
    );

  group
    .command('judge')
    .description("agreement of a judge's scores in a run with human labels: Cohen's kappa and Spearman's rho")
    .requiredOption('--run <run>', 'a run whose experiment has the judge')
    .requiredOption('--judge <name>', 'the judge (its name in eval.yaml)')
    .requiredOption('--labels <file>', 'JSONL: {"item_id": "...", "label": 4, "variant"?: "..."} per line')
    .option('--weights <w>', 'kappa weights for ordered labels: none, linear, quadratic', 'quadratic')
    .option('--json', 'print JSON')
    .action((options: { run: string; judge: string; labels: string; weights: string; json?: boolean }) =>
      withStore(globals(), async (store) => {
        const weights = z.enum(['none', 'linear', 'quadratic']).safeParse(options.weights);
        if (!weights.success) throw new Error('--weights: expected none, linear or quadratic');
        const agreement = await judgeAgreement(store, {
          run: options.run,
          judge: options.judge,
          labels: readLabels(options.labels),
          weights: weights.data as KappaWeights,
        });
        if (options.json) return printJson(agreement);
        const show = (value: number | null): string => (value === null ? 'undefined' : value.toFixed(4));
        print(
          `judge ${agreement.judge} on ${agreement.n} labelled items: kappa ${show(agreement.kappa)}, ${agreement.weights} weighted kappa ${show(agreement.weighted_kappa)}, spearman ${show(agreement.spearman)}` +
            (agreement.mean_repeat_variance === null ? '' : `, mean variance over repeats ${agreement.mean_repeat_variance.toFixed(4)}`),
        );
      }),
    );
}
