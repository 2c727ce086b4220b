/**
 * `fener eval`: run experiments with CI gates, compare runs, select models, check judges, and
 * manage online evaluators. Other `eval` subcommands (e.g. `metric`) attach to the group that
 * `registerEvalCommands` returns.
 */
import type { Command } from 'commander';
import {
  compareRuns,
  evaluateGates,
  itemSourceFor,
  storedDatasets,
  markdownReport,
  parseExperiment,
  parseGate,
  runExperiment,
  silentProgress,
  stderrProgress,
  writeReports,
  type ExperimentDefinition,
  type RunComparison,
  type RunSummary,
} from '../../evals/index.js';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';
import { evalConfigArgs, loadEvalFile, storedSummary } from './eval-files.js';
import { openEvalGateway } from './eval-gateway.js';
import { registerEvalOnlineCommands } from './eval-online.js';
import { registerEvalSelectCommands } from './eval-select.js';

interface RunOptions {
  evalConfig?: string;
  gate?: string[];
  baseline?: string;
  out?: string;
  resume?: string;
  limit?: string;
  concurrency?: string;
  url?: string;
  key?: string;
  json?: boolean;
  quiet?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name}: expected a positive integer, got "${value}"`);
  return number;
}

async function runCommand(globals: GlobalOptions, options: RunOptions): Promise<void> {
  const cliGates = (options.gate ?? []).map(parseGate);
  let definition: ExperimentDefinition | undefined;
  if (options.resume === undefined) {
    if (options.evalConfig === undefined) throw new Error('give --config eval.yaml (or --resume RUN_ID)');
    definition = loadEvalFile(options.evalConfig);
    const concurrency = positiveInteger('--concurrency', options.concurrency);
    const limit = positiveInteger('--limit', options.limit);
    definition = { ...definition, ...(concurrency ? { concurrency } : {}), ...(limit ? { limit } : {}) };
  }
  await withStore(globals, async (store, config) => {
    const baseline = options.baseline === undefined ? undefined : await storedSummary(store, options.baseline);
    const gateway = await openEvalGateway(config, store, {
      url: options.url ?? process.env.FENER_URL,
      key: options.key ?? process.env.FENER_KEY,
    });
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once('SIGINT', onSignal);
    try {
      const outcome = await runExperiment({
        store,
        client: gateway.client,
        ...(definition ? { definition } : {}),
        ...(options.resume === undefined ? {} : { resume: options.resume }),
        source: (resolved) => itemSourceFor(resolved, storedDatasets(store)),
        actor: 'cli',
        progress: options.quiet ? silentProgress : stderrProgress(),
        signal: controller.signal,
        onStart: (run) => process.stderr.write(`run ${run.id} (resume with: fener eval run --resume ${run.id})\n`),
      });
      const stored = parseExperiment(outcome.run.config);
      const gates = [...stored.gates.map(parseGate), ...cliGates];
      const results = evaluateGates(gates, outcome.summary, baseline);
      let comparison: RunComparison | undefined;
      if (options.baseline !== undefined) {
        comparison = await compareRuns(store, { baseline: { run: options.baseline }, candidate: { run: outcome.run.id } }).catch(
          () => undefined,
        );
      }
      const report = { summary: outcome.summary, gates: results, comparison };
      if (options.out !== undefined) {
        const files = await writeReports(options.out, report);
        process.stderr.write(`wrote ${files.join(', ')}\n`);
      }
      if (options.json) printJson(report);
      else print(markdownReport(report));
      const failed = results.filter((result) => !result.passed);
      if (failed.length > 0) {
        process.stderr.write(
          `${failed.length} of ${results.length} gate checks failed:\n${failed.map((result) => `  ${result.gate} [${result.variant}]: ${result.message}`).join('\n')}\n`,
        );
        process.exitCode = 1;
      }
    } finally {
      process.removeListener('SIGINT', onSignal);
      await gateway.close();
    }
  });
}

function registerRunCommands(group: Command, globals: () => GlobalOptions): void {
  group
    .command('run')
    .description('run an experiment (items × variants through the gateway), check gates, write reports; exits 1 when a gate fails')
    .option('--config <file>', 'the eval.yaml (see README: Experiments and evaluation gates)')
    .option('--eval-config <file>', 'the same as --config')
    .option('--gate <gate>', 'e.g. "rougeL>=0.40", "exact_match>=baseline-0.02" (repeatable)', collect)
    .option('--baseline <run>', 'a completed run that baseline gates and the comparison refer to')
    .option('--out <dir>', 'write results.json, report.md and junit.xml here')
    .option('--resume <run>', 'continue a stopped run: only the items it has not finished run')
    .option('--limit <n>', 'only the first N items')
    .option('--concurrency <n>', 'calls in flight at once (overrides eval.yaml)')
    .option('--url <url>', 'call a Fener server over HTTP instead of in-process (FENER_URL)')
    .option('--key <key>', 'virtual key for --url (FENER_KEY)')
    .option('--json', 'print the report as JSON')
    .option('--quiet', 'no progress bar')
    .action((options: RunOptions & { config?: string }) =>
      runCommand(globals(), { ...options, evalConfig: options.evalConfig ?? options.config }),
    );

  group
    .command('runs')
    .description('list runs, newest first')
    .option('--experiment <name>')
    .option('--json', 'print JSON')
    .action((options: { experiment?: string; json?: boolean }) =>
      withStore(globals(), async (store) => {
        const runs = await store.evals.listRuns(options.experiment === undefined ? {} : { experiment: options.experiment });
        if (options.json) return printJson(runs.map(({ config: _config, summary: _summary, ...run }) => run));
        const rows = runs.map((run) => [
          run.id,
          run.experiment,
          run.status,
          String(run.totalItems ?? '?'),
          new Date(run.createdAt).toISOString(),
        ]);
        print(table([['RUN', 'EXPERIMENT', 'STATUS', 'ITEMS', 'STARTED'], ...rows]));
      }),
    );

  group
    .command('show')
    .description('a run: status and aggregates')
    .argument('<run>')
    .option('--json', 'print JSON')
    .action((runId: string, options: { json?: boolean }) =>
      withStore(globals(), async (store) => {
        const run = await store.evals.requireRun(runId);
        if (options.json) return printJson(run);
        print(
          `${run.id}  ${run.experiment}  ${run.status}${run.error ? `  (${run.error})` : ''}  ${await store.evals.countResults(run.id)}/${(run.totalItems ?? 0) * parseExperiment(run.config).variants.length} results`,
        );
        if (run.summary) print(`\n${markdownReport({ summary: run.summary as unknown as RunSummary, gates: [] })}`);
      }),
    );

  group
    .command('compare')
    .description('paired bootstrap of two runs (or two variants) item by item, with the largest per-item differences')
    .argument('<baseline>', 'RUN or RUN:VARIANT')
    .argument('<candidate>', 'RUN or RUN:VARIANT')
    .option('--metric <name>', 'the score whose per-item differences are listed')
    .option('--limit <n>', 'per-item differences shown', '20')
    .option('--json', 'print JSON')
    .action((baseline: string, candidate: string, options: { metric?: string; limit: string; json?: boolean }) =>
      withStore(globals(), async (store) => {
        const side = (text: string): { run: string; variant?: string } => {
          const colon = text.indexOf(':');
          return colon < 0 ? { run: text } : { run: text.slice(0, colon), variant: text.slice(colon + 1) };
        };
        const comparison = await compareRuns(store, {
          baseline: side(baseline),
          candidate: side(candidate),
          ...(options.metric === undefined ? {} : { metric: options.metric }),
          limit: positiveInteger('--limit', options.limit) ?? 20,
        });
        if (options.json) return printJson(comparison);
        print(
          `${comparison.candidate.run}:${comparison.candidate.variant} vs ${comparison.baseline.run}:${comparison.baseline.variant} — ${comparison.paired_items} paired items\n`,
        );
        const rows = Object.entries(comparison.metrics).map(([metric, paired]) => [
          metric,
          paired.meanDifference.toFixed(4),
          `[${paired.low.toFixed(4)}, ${paired.high.toFixed(4)}]`,
          paired.pValue.toFixed(3),
          `${paired.wins}/${paired.losses}/${paired.ties}`,
        ]);
        print(table([['SCORE', 'Δ MEAN', '95% CI', 'P', 'WIN/LOSS/TIE'], ...rows]));
        if (comparison.metric !== null && comparison.items.length > 0) {
          print(`\nlargest per-item differences in ${comparison.metric}:`);
          print(
            table([
              ['ITEM', 'BASELINE', 'CANDIDATE', 'Δ'],
              ...comparison.items.map((item) => [
                item.item_id,
                item.baseline.toFixed(4),
                item.candidate.toFixed(4),
                item.difference.toFixed(4),
              ]),
            ]),
          );
        }
      }),
    );
}

export { evalConfigArgs };

export function registerEvalCommands(program: Command, globals: () => GlobalOptions): Command {
  const group = program.command('eval').description('experiments, CI gates, model selection, judges and online evaluation');
  registerRunCommands(group, globals);
  registerEvalSelectCommands(group, globals);
  registerEvalOnlineCommands(group, globals);
  return group;
}
