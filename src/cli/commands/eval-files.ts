/** Reading eval.yaml files and stored runs for the `fener eval` commands. */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { anchorFiles, parseExperiment, type ExperimentDefinition, type RunSummary } from '../../evals/index.js';
import type { Store } from '../../store/index.js';

/**
 * `fener eval run --config eval.yaml`: the root program owns `-c, --config` (fener.yaml) and
 * commander gives it every `--config` on the line, so after `eval` the long `--config` is
 * renamed to the subcommand's `--eval-config`. `fener -c fener.yaml eval run --config eval.yaml` works.
 */
export function evalConfigArgs(argv: string[]): string[] {
  const start = argv.indexOf('eval');
  if (start < 0) return argv;
  return argv.map((arg, index) => {
    if (index <= start) return arg;
    if (arg === '--config') return '--eval-config';
    return arg.startsWith('--config=') ? `--eval-config=${arg.slice('--config='.length)}` : arg;
  });
}

/** Reads and validates an eval.yaml (or .json); a dataset file is taken relative to it. */
export function loadEvalFile(path: string): ExperimentDefinition {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return anchorFiles(parseExperiment(raw), dirname(path));
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function storedSummary(store: Store, runId: string): Promise<RunSummary> {
  const run = await store.evals.requireRun(runId);
  if (run.status !== 'completed' || run.summary === null)
    throw new Error(`run ${runId} is ${run.status}: it has no results to compare with yet`);
  return run.summary as unknown as RunSummary;
}
