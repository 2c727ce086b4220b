/**
 * `fener feedback …`: feedback and score definitions, straight on the database (like `fener
 * keys`), with the rights of the admin key. The same rules as `/api/feedback` apply: the shared
 * schema parses what is given, the feedback service checks it against the score definitions.
 */
import type { Command } from 'commander';
import { FeedbackService, scoreDefinitionSchema } from '../../feedback/index.js';
import type { Feedback, FeedbackFilter, FeedbackKind, Store } from '../../store/index.js';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';
import { registerQueueCommands } from './feedback-queues.js';
import { addValueOptions, cliScope, parseValue, projectId, type ValueOptions } from './feedback-values.js';

interface FilterOptions {
  project?: string;
  trace?: string;
  name?: string;
  kind?: string;
  author?: string;
}

async function filterOf(store: Store, options: FilterOptions): Promise<FeedbackFilter> {
  const project = await projectId(store, options.project);
  return {
    ...(project === undefined ? {} : { projectId: project }),
    ...(options.trace === undefined ? {} : { traceId: options.trace }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.kind === undefined ? {} : { kind: options.kind as FeedbackKind }),
    ...(options.author === undefined ? {} : { author: options.author }),
  };
}

function describe(entry: Feedback): string {
  if (entry.kind === 'score') return String(entry.value);
  if (entry.kind === 'correction') return JSON.stringify(entry.correction);
  if (entry.kind === 'preference') {
    const side = (value: { trace_id: string | null; text: string | null }): string => value.trace_id ?? JSON.stringify(value.text);
    return `${side(entry.preference!.chosen)} over ${side(entry.preference!.rejected)}`;
  }
  return entry.label ?? '';
}

export function registerFeedbackCommands(program: Command, globals: () => GlobalOptions): void {
  const feedback = program.command('feedback').description('human feedback on traces, and score definitions');
  addValueOptions(feedback.command('add').description('feedback on a trace').argument('<trace-id>', 'the x-fener-trace-id of a call'))
    .option('--json', 'print JSON')
    .action(async (traceId: string, options: ValueOptions & { json?: boolean }) => {
      const value = parseValue(options);
      await withStore(globals(), async (store) => {
        const stored = await new FeedbackService(store).record({ ...value, trace_id: traceId }, cliScope());
        if (options.json) printJson(stored);
        else print(stored.id);
      });
    });
  feedback
    .command('list')
    .description('newest first')
    .option('--project <name>')
    .option('--trace <id>')
    .option('--name <name>', 'score name')
    .option('--kind <kind>')
    .option('--author <author>')
    .option('--limit <n>', 'how many', '20')
    .option('--cursor <cursor>')
    .option('--json', 'print JSON')
    .action(async (options: FilterOptions & { limit: string; cursor?: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error('--limit: expected 1–1000');
      await withStore(globals(), async (store) => {
        const page = await store.feedback.list({
          ...(await filterOf(store, options)),
          limit,
          ...(options.cursor ? { cursor: options.cursor } : {}),
        });
        if (options.json) return printJson(page);
        const rows = page.data.map((entry) => [
          entry.id,
          new Date(entry.created_at).toISOString(),
          entry.trace_id ?? entry.dataset_item_id ?? '',
          `${entry.kind}:${entry.name}`,
          describe(entry).slice(0, 60),
          entry.author ?? '',
        ]);
        print(table([['ID', 'TIME', 'ABOUT', 'KIND:NAME', 'VALUE', 'AUTHOR'], ...rows]));
        if (page.next_cursor) print(`\nmore: fener feedback list --cursor ${page.next_cursor}`);
      });
    });
  feedback
    .command('summary')
    .description('count, mean and distribution per score name')
    .option('--project <name>')
    .option('--trace <id>')
    .option('--name <name>')
    .option('--json', 'print JSON')
    .action(async (options: FilterOptions & { json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const summary = await store.feedback.summary(await filterOf(store, options));
        if (options.json) return printJson(summary);
        const rows = summary.map((entry) => [
          entry.name,
          entry.kind,
          String(entry.count),
          entry.mean === null ? '' : entry.mean.toFixed(3),
          Object.entries(entry.distribution)
            .map(([value, count]) => `${value}:${count}`)
            .join(' '),
        ]);
        print(table([['NAME', 'KIND', 'COUNT', 'MEAN', 'DISTRIBUTION'], ...rows]));
      });
    });
  registerScoreCommands(feedback, globals);
  registerQueueCommands(program, globals);
}

function registerScoreCommands(feedback: Command, globals: () => GlobalOptions): void {
  feedback
    .command('define')
    .description("create or replace a project's score definition")
    .argument('<name>')
    .requiredOption('--kind <kind>', 'numeric | categorical')
    .option('--min <n>')
    .option('--max <n>')
    .option('--categories <list>', 'comma-separated')
    .option('--description <text>')
    .option('--project <name>', 'project', 'default')
    .action(
      async (
        name: string,
        options: { kind: string; min?: string; max?: string; categories?: string; description?: string; project: string },
      ) => {
        const parsed = scoreDefinitionSchema.safeParse({
          name,
          kind: options.kind,
          ...(options.min === undefined ? {} : { min: Number(options.min) }),
          ...(options.max === undefined ? {} : { max: Number(options.max) }),
          ...(options.categories === undefined ? {} : { categories: options.categories.split(',').map((item) => item.trim()) }),
          ...(options.description === undefined ? {} : { description: options.description }),
        });
        if (!parsed.success)
          throw new Error(`${parsed.error.issues[0]?.path.join('.') || 'definition'}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        await withStore(globals(), async (store) => {
          const project = (await projectId(store, options.project))!;
          const { name: _name, ...fields } = parsed.data;
          const { created } = await store.feedback.defineScore({ ...fields, name, projectId: project, actor: cliScope().actor });
          print(`${created ? 'created' : 'replaced'} ${name}`);
        });
      },
    );
  feedback
    .command('scores')
    .description('score definitions')
    .option('--project <name>')
    .action(async (options: { project?: string }) => {
      await withStore(globals(), async (store) => {
        const definitions = await store.feedback.listScores(await projectId(store, options.project));
        const rows = definitions.map((definition) => [
          definition.name,
          definition.kind,
          definition.kind === 'numeric' ? `${definition.min ?? ''}–${definition.max ?? ''}` : (definition.categories ?? []).join(', '),
        ]);
        print(table([['NAME', 'KIND', 'RANGE / CATEGORIES'], ...rows]));
      });
    });
}
