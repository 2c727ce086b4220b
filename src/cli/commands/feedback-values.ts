/** Flags that describe one piece of feedback, shared by `fener feedback add` and `fener queues submit`. */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { FenerError } from '../../core/index.js';
import { feedbackValueSchema, type FeedbackScope, type FeedbackValue } from '../../feedback/index.js';
import type { Store } from '../../store/index.js';

export function cliScope(): FeedbackScope {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    name = process.env.USER ?? 'unknown';
  }
  return { actor: `cli:${name}`, projectId: null };
}

/** Options that describe one piece of feedback, shared by `feedback add` and `queues submit`. */
export interface ValueOptions {
  kind: string;
  name?: string;
  value?: string;
  label?: string;
  text?: string;
  chosenText?: string;
  chosenTrace?: string;
  rejectedText?: string;
  rejectedTrace?: string;
  author?: string;
  comment?: string;
}

export function addValueOptions(command: Command): Command {
  return command
    .requiredOption('--kind <kind>', 'thumbs | score | label | correction | preference')
    .option('--name <name>', 'score definition (score, label)')
    .option('--value <value>', 'thumbs: up|down; score: a number')
    .option('--label <label>', 'label: a category')
    .option('--text <text>', 'correction: what the answer should have been')
    .option('--chosen-text <text>', 'preference: the better output as text')
    .option('--chosen-trace <id>', "preference: or another trace's output")
    .option('--rejected-text <text>', 'preference: the worse output as text')
    .option('--rejected-trace <id>', "preference: or another trace's output")
    .option('--author <author>', 'who gave it')
    .option('--comment <comment>');
}

/** Turns flags into a feedback value, checked by the same schema as the API. */
export function parseValue(options: ValueOptions): FeedbackValue {
  const side = (text: string | undefined, trace: string | undefined): Record<string, string> => ({
    ...(text === undefined ? {} : { text }),
    ...(trace === undefined ? {} : { trace_id: trace }),
  });
  const numeric = options.kind === 'score' && options.value !== undefined ? Number(options.value) : options.value;
  const raw = {
    kind: options.kind,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(numeric === undefined ? {} : { value: numeric }),
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(options.text === undefined ? {} : { correction: options.text }),
    ...(options.kind === 'preference'
      ? { a: side(options.chosenText, options.chosenTrace), b: side(options.rejectedText, options.rejectedTrace), chosen: 'a' }
      : {}),
    ...(options.author === undefined ? {} : { author: options.author }),
    ...(options.comment === undefined ? {} : { comment: options.comment }),
  };
  const parsed = feedbackValueSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.') || 'feedback'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export async function projectId(store: Store, name: string | undefined): Promise<string | undefined> {
  if (name === undefined) return undefined;
  const project = await store.projects.findByName(name);
  if (!project) throw new FenerError('not_found', `project "${name}" does not exist`);
  return project.id;
}
