/**
 * `fener eval metric`: score predictions against references from files, offline.
 *
 * Files hold one item per line (UTF-8, `\n` or `\r\n`; a final newline is optional). Each
 * `--references` file is one reference per item, as sacrebleu reads reference files; give the
 * flag again for more references per item. Files ending in `.jsonl` hold one JSON value per line
 * instead: a string (so an item may contain newlines, e.g. one sentence per line for rougeLsum),
 * or, for references, an array of strings.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { computeMetric, metricNames, type MetricResult } from '../../evals/index.js';
import { print, printJson, table } from '../shared.js';

interface MetricOptions {
  metric: string;
  predictions: string;
  references?: string[];
  option?: string[];
  json?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** The lines of a file; a single trailing newline ends the last line rather than adding an empty one. */
function lines(path: string): string[] {
  const text = readText(path);
  if (text === '') return [];
  const split = text.split(/\r?\n/);
  if (split[split.length - 1] === '') split.pop();
  return split;
}

function jsonLines(path: string, allowArrays: boolean): string[][] {
  return lines(path).map((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${path}:${index + 1}: not valid JSON`);
    }
    if (typeof value === 'string') return [value];
    if (allowArrays && Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value as string[];
    throw new Error(`${path}:${index + 1}: expected a JSON string${allowArrays ? ' or an array of strings' : ''}`);
  });
}

function readItems(path: string, allowArrays: boolean): string[][] {
  return path.endsWith('.jsonl') ? jsonLines(path, allowArrays) : lines(path).map((line) => [line]);
}

/** `--option key=value`: the value as JSON when it parses (numbers, booleans, lists), `@file` for a JSON file, else text. */
export function parseOption(text: string): [string, unknown] {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new Error(`--option: expected key=value, got "${text}"`);
  const key = text.slice(0, equals);
  const raw = text.slice(equals + 1);
  if (raw.startsWith('@')) {
    try {
      return [key, JSON.parse(readText(raw.slice(1))) as unknown];
    } catch (error) {
      throw new Error(`--option ${key}: ${raw.slice(1)} is not valid JSON (${(error as Error).message})`);
    }
  }
  try {
    return [key, JSON.parse(raw) as unknown];
  } catch {
    return [key, raw];
  }
}

function referenceLists(paths: readonly string[], count: number): string[][] {
  if (paths.length === 0) return [];
  const files = paths.map((path) => readItems(path, true));
  files.forEach((file, index) => {
    if (file.length !== count) {
      throw new Error(`${paths[index]} has ${file.length} items but the predictions file has ${count}; give one line per item`);
    }
  });
  return Array.from({ length: count }, (_, item) => files.flatMap((file) => file[item] ?? []));
}

function printResult(result: MetricResult): void {
  print(`${result.metric} over ${result.items.length} items`);
  if (result.signature !== undefined) print(`signature: ${result.signature}`);
  print(table([['name', 'value'], ...Object.entries(result.corpus).map(([key, value]) => [key, String(Number(value.toFixed(6)))])]));
}

function metricCommand(options: MetricOptions): void {
  const predictions = readItems(options.predictions, false).map((item) => item[0] ?? '');
  const references = referenceLists(options.references ?? [], predictions.length);
  const result = computeMetric({
    metric: options.metric,
    predictions,
    references,
    options: Object.fromEntries((options.option ?? []).map(parseOption)),
  });
  if (options.json) printJson(result);
  else printResult(result);
}

/** Attaches `metric` to the `fener eval` group. */
export function registerEvalMetricCommand(group: Command): void {
  group
    .command('metric')
    .description('score predictions against references (BLEU, chrF, ROUGE, exact match, …) from files')
    .requiredOption('--metric <name>', `one of: ${metricNames.join(', ')}`)
    .requiredOption('--predictions <file>', 'one prediction per line (or a .jsonl file of JSON strings)')
    .option('--references <file>', 'one reference per line, aligned with the predictions; repeat for more references', collect)
    .option('--option <key=value>', 'a metric option, e.g. tokenize=intl or use_stemmer=true (repeatable)', collect)
    .option('--json', 'print the full result, per-item scores included, as JSON')
    .action((options: MetricOptions) => metricCommand(options));
}
