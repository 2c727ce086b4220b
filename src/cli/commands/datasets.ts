/** `fener datasets …`: datasets on the configured database, with progress bars on stderr for long work. */
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { extname } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import pino from 'pino';
import {
  createDataset,
  embedVersion,
  exportStream,
  finetuneFormats,
  finetuneStream,
  importItems,
  parsePipeline,
  prepareDataset,
  resolveFinetuneTarget,
  splitDataset,
  type BuildReport,
  type FinetuneFormat,
  type PipelineReport,
} from '../../datasets/index.js';
import { startGatewayRuntime } from '../../gateway/index.js';
import type { Principal } from '../../identity/index.js';
import { createSharedState } from '../../state/index.js';
import type { DatasetVersion } from '../../store/index.js';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';

function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}

/** A bar on stderr when it is a terminal; nothing otherwise (logs and pipes stay clean). */
function progressBar(label: string, total: number): SingleBar {
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
    hideCursor: true,
  });
  bar.start(Math.max(total, 1), 0);
  return bar;
}

function parseVersion(value: string | undefined): number | undefined {
  if (value === undefined || value === 'latest') return undefined;
  const version = Number(value);
  if (!Number.isInteger(version) || version < 1) throw new Error(`expected a version number or "latest", got "${value}"`);
  return version;
}

function describeReport(name: string, report: BuildReport): string {
  const version =
    report.version === null ? 'nothing written' : `v${report.version}${report.created ? '' : ' (identical content: existing version)'}`;
  return `${name}: ${version}, ${report.itemCount} items; ${report.accepted} valid, ${report.rejected} rejected`;
}

function printRejected(report: BuildReport): void {
  for (const entry of report.rejectedLines) process.stderr.write(`line ${entry.line}: ${entry.reason}\n`);
  if (report.rejected > report.rejectedLines.length) process.stderr.write(`… and ${report.rejected - report.rejectedLines.length} more\n`);
}

function describePipeline(report: PipelineReport): string[] {
  return report.steps.map(
    (step) =>
      `  ${step.step.padEnd(12)} → v${step.version}${step.created ? '' : ' (unchanged)'}: ${step.itemCount} items, ${step.dropped} dropped`,
  );
}

function registerImport(datasets: Command, globals: () => GlobalOptions): void {
  datasets
    .command('import')
    .description('stream a JSONL or CSV file into a new version (created with the dataset if needed)')
    .argument('<name>')
    .argument('<file>')
    .option('--format <format>', 'jsonl or csv (default: from the extension)')
    .option('--keep-valid', 'keep the valid lines when some are rejected (else nothing is written)')
    .option('--append', 'add to the latest version instead of replacing its items')
    .option('--project <name>', 'project of a new dataset', 'default')
    .option('--json', 'print JSON')
    .action(
      async (
        name: string,
        file: string,
        options: { format?: string; keepValid?: boolean; append?: boolean; project: string; json?: boolean },
      ) => {
        const format = options.format ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
        if (format !== 'jsonl' && format !== 'csv') throw new Error(`--format: expected jsonl or csv, got "${format}"`);
        const size = statSync(file).size;
        await withStore(globals(), async (store) => {
          const dataset =
            (await store.datasets.get(name)) ?? (await createDataset(store, { name, projectName: options.project, actor: cliActor() }));
          const bar = progressBar('import', size);
          const source = createReadStream(file);
          source.on('data', () => bar.update(source.bytesRead));
          let report: BuildReport;
          try {
            report = await importItems(store, {
              dataset,
              format,
              source,
              keepValid: options.keepValid === true,
              append: options.append === true,
              sourceInfo: { name: file, bytes: size },
              actor: cliActor(),
            });
          } catch (error) {
            const failed = (error as { report?: BuildReport }).report;
            if (!failed) throw error;
            report = failed;
          } finally {
            bar.stop();
          }
          if (report.rejected > 0) printRejected(report);
          if (options.json) printJson(report);
          else print(describeReport(name, report));
          if (report.version === null) {
            process.stderr.write('nothing was written: fix the lines above or pass --keep-valid\n');
            process.exitCode = 1;
          }
        });
      },
    );
}

function registerExport(datasets: Command, globals: () => GlobalOptions): void {
  datasets
    .command('export')
    .description('write a version as jsonl, csv, or a validated fine-tuning file (openai-chat, preference, openai-dpo)')
    .argument('<name>')
    .option('--at <version>', 'a version number (default latest)')
    .option('--format <format>', `jsonl, csv, ${finetuneFormats.join(', ')}`, 'jsonl')
    .option('--split <split>', 'only train, validation or test')
    .option('--model <name>', 'fine-tuning target model (context window, price)')
    .option('--epochs <n>', 'fine-tuning epochs for the cost estimate', '3')
    .option('--training-price-per-mtok <usd>', 'training price per million tokens (default: built-in list price, if known)')
    .option('--out <file>', 'write here instead of stdout')
    .action(
      async (
        name: string,
        options: {
          at?: string;
          format: string;
          split?: string;
          model?: string;
          epochs: string;
          trainingPricePerMtok?: string;
          out?: string;
        },
      ) => {
        const split = options.split as 'train' | 'validation' | 'test' | undefined;
        if (split !== undefined && !['train', 'validation', 'test'].includes(split)) throw new Error('--split: train, validation or test');
        await withStore(globals(), async (store, config) => {
          const dataset = await store.datasets.require(name);
          const version = await store.datasets.version(dataset, parseVersion(options.at));
          const out = options.out === undefined ? stdoutSink() : createWriteStream(options.out);
          const bar = progressBar('export', version.itemCount);
          const source = { versionId: version.id, ...(split ? { split } : {}), onProgress: (written: number) => bar.update(written) };
          try {
            if (options.format === 'jsonl' || options.format === 'csv') {
              await pipeline(exportStream(store, options.format, source), out);
              return;
            }
            if (!(finetuneFormats as readonly string[]).includes(options.format))
              throw new Error(`--format: unknown format "${options.format}"`);
            if (options.model === undefined) throw new Error(`--model: required for --format ${options.format}`);
            const price = options.trainingPricePerMtok === undefined ? undefined : Number(options.trainingPricePerMtok);
            const target = await resolveFinetuneTarget({ config, store, model: options.model, trainingPricePerMtok: price });
            const run = finetuneStream(store, {
              ...source,
              format: options.format as FinetuneFormat,
              target,
              epochs: Number(options.epochs),
            });
            await pipeline(run.stream, out);
            bar.stop();
            process.stderr.write(`${JSON.stringify(await run.report, null, 2)}\n`);
          } finally {
            bar.stop();
          }
        });
      },
    );
}

/** stdout as a pipeline destination that is never closed (later prints still work). */
function stdoutSink(): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      if (process.stdout.write(chunk)) callback();
      else process.stdout.once('drain', () => callback());
    },
  });
}

function registerPrepare(datasets: Command, globals: () => GlobalOptions): void {
  datasets
    .command('prepare')
    .description('run a preparation pipeline (YAML or JSON); each step records a new version')
    .argument('<name>')
    .requiredOption('--pipeline <file>', 'the pipeline: {steps: [{step: normalize}, {step: dedupe}, …]}')
    .option('--at <version>', 'input version (default latest)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { pipeline: string; at?: string; json?: boolean }) => {
      const pipelineDocument = parsePipeline(readFileSync(options.pipeline, 'utf8'));
      await withStore(globals(), async (store) => {
        const dataset = await store.datasets.require(name);
        const from = await store.datasets.version(dataset, parseVersion(options.at));
        const bar = progressBar('prepare', from.itemCount);
        const report = await prepareDataset(store, {
          dataset,
          version: from.version,
          pipeline: pipelineDocument,
          actor: cliActor(),
          onProgress: (read) => bar.update(read),
        }).finally(() => bar.stop());
        if (options.json) return printJson(report);
        print(`${name}: v${report.fromVersion} → v${report.finalVersion}`);
        for (const line of describePipeline(report)) print(line);
      });
    });
}

function registerSplit(datasets: Command, globals: () => GlobalOptions): void {
  datasets
    .command('split')
    .description('assign train / validation / test by seed and item id (stable across versions); records a new version')
    .argument('<name>')
    .option('--seed <seed>', 'any string or number', '1')
    .option('--ratios <a,b,c>', 'train,validation,test', '0.8,0.1,0.1')
    .option('--at <version>', 'input version (default latest)')
    .action(async (name: string, options: { seed: string; ratios: string; at?: string }) => {
      const [train, validation, test] = options.ratios.split(',').map(Number);
      if ([train, validation, test].some((ratio) => ratio === undefined || Number.isNaN(ratio)))
        throw new Error('--ratios: three numbers, e.g. 0.8,0.1,0.1');
      await withStore(globals(), async (store) => {
        const dataset = await store.datasets.require(name);
        const version = parseVersion(options.at);
        const report = await splitDataset(store, {
          dataset,
          ...(version === undefined ? {} : { version }),
          params: { seed: options.seed, train: train!, validation: validation!, test: test! },
          actor: cliActor(),
        });
        const step = report.steps[0];
        print(`${name}: v${report.fromVersion} → v${report.finalVersion} ${JSON.stringify(step?.stats ?? {})}`);
      });
    });
}

function registerReads(datasets: Command, globals: () => GlobalOptions): void {
  datasets
    .command('list')
    .description('datasets with their latest version')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const list = await store.datasets.list();
        if (options.json) return printJson(list);
        print(
          table([
            ['NAME', 'LATEST', 'UPDATED'],
            ...list.map((dataset) => [dataset.name, `v${dataset.latestVersion}`, new Date(dataset.updatedAt).toISOString()]),
          ]),
        );
      });
    });

  datasets
    .command('show')
    .description('versions of a dataset with their lineage (newest first)')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const dataset = await store.datasets.require(name);
        const versions = await store.datasets.versions(dataset.id);
        if (options.json) return printJson({ ...dataset, versions });
        const row = (version: DatasetVersion): string[] => [
          `v${version.version}`,
          version.parentVersion === null ? '-' : `v${version.parentVersion}`,
          version.step,
          String(version.itemCount),
          version.contentHash.slice(0, 19),
          JSON.stringify(version.params),
        ];
        print(table([['VERSION', 'PARENT', 'STEP', 'ITEMS', 'HASH', 'PARAMS'], ...versions.map(row)]));
      });
    });

  datasets
    .command('diff')
    .description('items added, removed and changed between two versions')
    .argument('<name>')
    .argument('<from>')
    .argument('<to>')
    .option('--ids', 'list the first 100 ids of each kind')
    // commander passes each argument positionally, then the options.
    // eslint-disable-next-line max-params
    .action(async (name: string, fromText: string, toText: string, options: { ids?: boolean }) => {
      await withStore(globals(), async (store) => {
        const dataset = await store.datasets.require(name);
        const from = await store.datasets.version(dataset, parseVersion(fromText));
        const to = await store.datasets.version(dataset, parseVersion(toText));
        const counts = await store.datasets.diffCounts(from.id, to.id);
        print(
          `${name} v${from.version} → v${to.version}: +${counts.added} added, -${counts.removed} removed, ~${counts.changed} changed, ${counts.unchanged} unchanged`,
        );
        if (!options.ids) return;
        for (const kind of ['added', 'removed', 'changed'] as const) {
          const entries = await store.datasets.diffEntries(from.id, to.id, { kind, limit: 100 });
          for (const entry of entries) print(`${kind === 'added' ? '+' : kind === 'removed' ? '-' : '~'} ${entry.id}`);
        }
      });
    });
}

function registerEmbed(datasets: Command, globals: () => GlobalOptions): void {
  datasets
    .command('embed')
    .description("embed a version's items with an embedding model of fener.yaml (through the gateway, traced)")
    .argument('<name>')
    .requiredOption('--model <name>', 'an embeddings model')
    .option('--at <version>', 'a version number (default latest)')
    .option('--batch-size <n>', 'texts per call', '64')
    .action(async (name: string, options: { model: string; at?: string; batchSize: string }) => {
      await withStore(globals(), async (store, config) => {
        const logger = pino({ level: 'warn' });
        const state = createSharedState({ ...(config.redis_url ? { redisUrl: config.redis_url } : {}), logger });
        const runtime = await startGatewayRuntime({ config, store, state, logger, processMetrics: false });
        try {
          const dataset = await store.datasets.require(name);
          const version = await store.datasets.version(dataset, parseVersion(options.at));
          const principal: Principal = {
            id: 'key_cli',
            projectId: null,
            name: cliActor(),
            kind: 'admin',
            hint: 'cli',
            createdAt: 0,
            revokedAt: null,
            project: null,
          };
          const bar = progressBar('embed', version.itemCount);
          const report = await embedVersion({
            store,
            gateway: runtime.gateway,
            principal,
            dataset,
            version,
            model: options.model,
            batchSize: Number(options.batchSize),
            onProgress: (done) => bar.update(done),
          }).finally(() => bar.stop());
          print(
            `${name} v${version.version}: ${report.embedded} embedded, ${report.reused} reused, ${report.dimensions ?? 0} dimensions, ${report.calls} calls`,
          );
        } finally {
          await runtime.close();
          await state.close();
        }
      });
    });
}

export function registerDatasetCommands(program: Command, globals: () => GlobalOptions): void {
  const datasets = program.command('datasets').description('datasets: import, prepare, split, diff, export, embed');
  registerReads(datasets, globals);
  registerImport(datasets, globals);
  registerPrepare(datasets, globals);
  registerSplit(datasets, globals);
  registerExport(datasets, globals);
  registerEmbed(datasets, globals);
}
