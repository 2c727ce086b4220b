/** `fener eval online …`: evaluators that a running server applies to a sample of live traces. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { parseOnlineEvaluator } from '../../evals/index.js';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';

export function registerEvalOnlineCommands(group: Command, globals: () => GlobalOptions): void {
  const online = group.command('online').description('evaluators run by the server on a sample of live traces');
  online
    .command('set')
    .description('create or replace an evaluator from a YAML/JSON file (sample_rate, and metric or judge)')
    .argument('<name>')
    .argument('<file>')
    .action((name: string, file: string) =>
      withStore(globals(), async (store) => {
        const definition = parseOnlineEvaluator(parseYaml(readFileSync(file, 'utf8')));
        const saved = await store.evals.saveEvaluator({
          name,
          definition: definition as unknown as Record<string, unknown>,
          sampleRate: definition.sample_rate,
          enabled: definition.enabled,
        });
        print(`evaluator ${saved.name}: sample rate ${saved.sampleRate}, ${saved.enabled ? 'enabled' : 'disabled'}`);
      }),
    );
  online
    .command('list')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withStore(globals(), async (store) => {
        const [evaluators, summary] = await Promise.all([store.evals.listEvaluators(), store.evals.onlineSummary()]);
        if (options.json) return printJson({ evaluators, summary });
        const rows = evaluators.map((evaluator) => {
          const stats = summary.find((entry) => entry.evaluator === evaluator.name);
          return [
            evaluator.name,
            String(evaluator.sampleRate),
            evaluator.enabled ? 'yes' : 'no',
            String(stats?.count ?? 0),
            stats?.mean?.toFixed(4) ?? '',
          ];
        });
        print(table([['EVALUATOR', 'SAMPLE', 'ENABLED', 'SCORED', 'MEAN'], ...rows]));
      }),
    );
  online
    .command('remove')
    .argument('<name>')
    .action((name: string) =>
      withStore(globals(), async (store) => {
        if (!(await store.evals.deleteEvaluator(name))) throw new Error(`no online evaluator "${name}"`);
        print(`removed ${name} (its scores are kept)`);
      }),
    );
  online
    .command('scores')
    .description('scores given to traces, newest first')
    .option('--trace <id>')
    .option('--evaluator <name>')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action((options: { trace?: string; evaluator?: string; limit: string; json?: boolean }) =>
      withStore(globals(), async (store) => {
        const scores = await store.evals.listOnlineScores({
          ...(options.trace === undefined ? {} : { traceId: options.trace }),
          ...(options.evaluator === undefined ? {} : { evaluator: options.evaluator }),
          limit: Number(options.limit),
        });
        if (options.json) return printJson(scores);
        print(
          table([
            ['TRACE', 'EVALUATOR', 'SCORE', 'AT'],
            ...scores.map((score) => [
              score.traceId,
              score.evaluator,
              score.score === null ? 'error' : String(score.score),
              new Date(score.createdAt).toISOString(),
            ]),
          ]),
        );
      }),
    );
}
