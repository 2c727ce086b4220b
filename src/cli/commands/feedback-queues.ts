/** `fener queues …`: annotation queues on the database, with the same rules as `/api/queues`. */
import type { Command } from 'commander';
import { QueueService } from '../../feedback/index.js';
import type { Store } from '../../store/index.js';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';
import { addValueOptions, cliScope, parseValue, projectId, type ValueOptions } from './feedback-values.js';

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function positiveInteger(flag: string, value: string, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) throw new Error(`${flag}: expected 1–${max}`);
  return number;
}

async function queueNamed(store: Store, name: string): Promise<{ service: QueueService; queue: Awaited<ReturnType<QueueService['get']>> }> {
  const service = new QueueService(store);
  return { service, queue: await service.get(name, cliScope()) };
}

export function registerQueueCommands(program: Command, globals: () => GlobalOptions): void {
  const queues = program.command('queues').description('annotation queues: items from traces or datasets, reviewed by people');
  queues
    .command('create')
    .argument('<name>')
    .requiredOption('--reviewers <list>', 'comma-separated reviewer names')
    .option('--required <n>', 'reviews per item', '1')
    .option('--assignment <mode>', 'round_robin | explicit', 'round_robin')
    .option('--score <name>', 'the score definition reviewers answer with')
    .option('--description <text>')
    .option('--project <name>', 'project', 'default')
    .action(
      async (
        name: string,
        options: { reviewers: string; required: string; assignment: string; score?: string; description?: string; project: string },
      ) => {
        if (options.assignment !== 'round_robin' && options.assignment !== 'explicit')
          throw new Error('--assignment: round_robin or explicit');
        const requiredReviews = positiveInteger('--required', options.required, 100);
        await withStore(globals(), async (store) => {
          const queue = await new QueueService(store).create(
            {
              name,
              projectId: (await projectId(store, options.project))!,
              reviewers: list(options.reviewers),
              assignment: options.assignment as 'round_robin' | 'explicit',
              requiredReviews,
              ...(options.score === undefined ? {} : { scoreName: options.score }),
              ...(options.description === undefined ? {} : { description: options.description }),
            },
            cliScope(),
          );
          print(`created ${queue.name} (${queue.reviewers.join(', ')}; ${queue.required_reviews} review(s) per item)`);
        });
      },
    );
  queues
    .command('list')
    .option('--project <name>')
    .action(async (options: { project?: string }) => {
      await withStore(globals(), async (store) => {
        const rows = (await store.annotationQueues.list(await projectId(store, options.project))).map((queue) => [
          queue.name,
          String(queue.item_count),
          queue.reviewers.join(','),
          String(queue.required_reviews),
          queue.score_name ?? '',
        ]);
        print(table([['NAME', 'ITEMS', 'REVIEWERS', 'REVIEWS/ITEM', 'SCORE'], ...rows]));
      });
    });
  queues
    .command('add')
    .description('add traces by id or by model, newest first')
    .argument('<queue>')
    .option('--traces <ids>', 'comma-separated trace ids')
    .option('--model <model>', 'traces of this model')
    .option('--limit <n>', 'at most this many traces by model', '100')
    .option('--reviewers <list>', 'explicit queues: who reviews these')
    .action(async (name: string, options: { traces?: string; model?: string; limit: string; reviewers?: string }) => {
      if ((options.traces === undefined) === (options.model === undefined)) throw new Error('give one of --traces or --model');
      const limit = positiveInteger('--limit', options.limit, 5000);
      await withStore(globals(), async (store) => {
        const { service, queue } = await queueNamed(store, name);
        const result = await service.addTraces(
          queue,
          {
            ...(options.traces === undefined ? {} : { traceIds: list(options.traces) }),
            ...(options.model === undefined ? {} : { filter: { model: options.model }, limit }),
            ...(options.reviewers === undefined ? {} : { reviewers: list(options.reviewers) }),
          },
          cliScope(),
        );
        print(`added ${result.added.length}, skipped ${result.skipped} already queued`);
      });
    });
  registerReviewCommands(queues, globals);
}

function registerReviewCommands(queues: Command, globals: () => GlobalOptions): void {
  queues
    .command('next')
    .description("the reviewer's next item")
    .argument('<queue>')
    .requiredOption('--reviewer <name>')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { reviewer: string; json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const { service, queue } = await queueNamed(store, name);
        const item = await service.next(queue, options.reviewer);
        if (options.json) return printJson({ item });
        if (!item) return print(`nothing left for ${options.reviewer}`);
        print(
          `item ${item.id} (${item.source_kind} ${item.source_id})\n\n${item.input_text}\n\n--- output ---\n${item.output_text ?? '(none)'}`,
        );
      });
    });
  addValueOptions(queues.command('submit').description('answer an item').argument('<queue>').argument('<item>'))
    .requiredOption('--reviewer <name>')
    .action(async (name: string, itemId: string, options: ValueOptions & { reviewer: string }) => {
      const value = parseValue(options);
      await withStore(globals(), async (store) => {
        const { service, queue } = await queueNamed(store, name);
        const stored = await service.submit(queue, { itemId, reviewer: options.reviewer, value }, cliScope());
        print(stored.id);
      });
    });
  queues
    .command('skip')
    .argument('<queue>')
    .argument('<item>')
    .requiredOption('--reviewer <name>')
    .action(async (name: string, itemId: string, options: { reviewer: string }) => {
      await withStore(globals(), async (store) => {
        const { service, queue } = await queueNamed(store, name);
        const { reassigned_to: to } = await service.skip(queue, { itemId, reviewer: options.reviewer });
        print(to === null ? 'skipped' : `skipped; now assigned to ${to}`);
      });
    });
  queues
    .command('progress')
    .description('done/total per reviewer and overall, and agreement between reviewers')
    .argument('<queue>')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const { service, queue } = await queueNamed(store, name);
        const progress = await service.progress(queue);
        const agreement = await service.agreement(queue);
        if (options.json) return printJson({ ...progress, agreement });
        print(`${progress.completed_items}/${progress.total_items} items complete\n`);
        const rows = progress.reviewers.map((entry) => [
          entry.reviewer,
          `${entry.done}/${entry.assigned}`,
          String(entry.skipped),
          String(entry.pending),
        ]);
        print(table([['REVIEWER', 'DONE', 'SKIPPED', 'PENDING'], ...rows]));
        const format = (value: number | null): string => (value === null ? '–' : value.toFixed(3));
        const stats = agreement.map((entry) => [
          entry.name,
          String(entry.items_compared),
          format(entry.percent_agreement),
          format(entry.cohens_kappa),
          format(entry.fleiss_kappa),
          format(entry.krippendorff_alpha_nominal),
          format(entry.krippendorff_alpha_interval),
        ]);
        if (stats.length > 0)
          print(`\n${table([['SCORE', 'ITEMS', 'AGREEMENT', 'COHEN', 'FLEISS', 'ALPHA', 'ALPHA(INTERVAL)'], ...stats])}`);
      });
    });
}
