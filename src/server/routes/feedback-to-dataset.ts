/**
 * `POST /api/feedback/to-dataset`: filtered feedback becomes a new dataset version. The feedback
 * module turns feedback into items (corrections → expected outputs, thumbs/scores/labels →
 * metadata, preferences → items with `expected` and `rejected`); the datasets module writes the
 * version with its lineage. The two modules may not import each other, so they meet here.
 */
import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import { createDataset, createVersionFromItems, datasetNamePattern, itemRoles, type NewItem } from '../../datasets/index.js';
import { feedbackToData, type FeedbackItem, type PreferencePair } from '../../feedback/index.js';
import type { Feedback, Store } from '../../store/index.js';
import { defineRoute } from '../api-route.js';
import { feedbackFilter, feedbackFilterQuery, scopeOf } from './feedback.js';

/** One call converts at most this much feedback, so memory stays bounded; narrow the filter for more. */
const maxFeedback = 50_000;
const roles = new Set<string>(itemRoles);

async function collect(store: Store, filter: Parameters<Store['feedback']['list']>[0]): Promise<Feedback[]> {
  const all: Feedback[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.feedback.list({ ...filter, limit: 1000, ...(cursor ? { cursor } : {}) });
    all.push(...page.data);
    if (all.length > maxFeedback) {
      throw new FenerError('invalid_request', `more than ${maxFeedback} feedback entries match: narrow the filter (from/to, name, kind)`, {
        param: 'filter',
      });
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return all;
}

function asItem(item: FeedbackItem | PreferencePair): NewItem | string {
  const wrong = item.input.messages.find((message) => !roles.has(message.role));
  if (wrong) return `role "${wrong.role}" cannot be stored in a dataset item`;
  if (item.input.messages.length === 0) return 'the trace sent no messages';
  const messages = item.input.messages.map((message) => ({ role: message.role as (typeof itemRoles)[number], content: message.content }));
  const content: NewItem['content'] = { input: { messages }, expected: item.expected, metadata: item.metadata };
  if ('rejected' in item) content.rejected = item.rejected;
  return { id: item.id, content };
}

const toDataset = defineRoute({
  method: 'POST',
  path: '/api/feedback/to-dataset',
  summary: 'Turn filtered feedback into a new dataset version: corrections as expected outputs, preferences as pairs',
  tag: 'feedback',
  auth: 'admin',
  status: 201,
  body: z
    .object({
      dataset: z.string().regex(datasetNamePattern, 'letters, digits, ".", "_" and "-", at most 128').describe('created when missing'),
      project: z.string().min(1).default('default'),
      filter: feedbackFilterQuery.omit({ project: true }).strict().default({}),
      append: z.boolean().default(false).describe("true: the latest version's items, then these; false: exactly these"),
    })
    .strict(),
  response: z.object({
    dataset: z.string(),
    version: z.number(),
    created: z.boolean().describe('false when a version with identical content existed (it is returned)'),
    item_count: z.number(),
    items: z.number().describe('items from traces with feedback'),
    preference_pairs: z.number(),
    feedback: z.number().describe('feedback entries read'),
    skipped: z.array(z.object({ feedback_id: z.string().optional(), item_id: z.string().optional(), reason: z.string() })),
  }),
  async handler({ body, principal, context }) {
    const store = context.store;
    const scope = scopeOf(principal);
    const filter = await feedbackFilter(context, scope, { ...body.filter, project: body.project });
    const feedback = await collect(store, filter);
    const data = await feedbackToData(feedback, (id) => store.traces.get(id));
    const skipped: { feedback_id?: string; item_id?: string; reason: string }[] = [...data.skipped];
    const items: NewItem[] = [];
    for (const item of [...data.items, ...data.pairs]) {
      const converted = asItem(item);
      if (typeof converted === 'string') skipped.push({ item_id: item.id, reason: converted });
      else items.push(converted);
    }
    if (items.length === 0)
      throw new FenerError('invalid_request', 'no feedback matched that can become a dataset item', { param: 'filter' });
    const dataset =
      (await store.datasets.get(body.dataset)) ??
      (await createDataset(store, { name: body.dataset, projectName: body.project, actor: scope.actor }));
    if (dataset.projectId !== filter.projectId) {
      throw new FenerError('conflict', `dataset "${body.dataset}" belongs to another project`, { param: 'dataset' });
    }
    const base = body.append && dataset.latestVersion > 0 ? await store.datasets.version(dataset) : undefined;
    const report = await createVersionFromItems(store, {
      dataset,
      ...(base ? { base } : {}),
      step: 'feedback',
      params: { filter: body.filter, append: body.append },
      source: {
        kind: 'feedback',
        project: body.project,
        filter: body.filter,
        feedback: feedback.length,
        items: data.items.length,
        pairs: data.pairs.length,
      },
      items,
      actor: scope.actor,
    });
    return {
      dataset: dataset.name,
      version: report.version!,
      created: report.created,
      item_count: report.itemCount,
      items: data.items.length,
      preference_pairs: data.pairs.length,
      feedback: feedback.length,
      skipped: skipped.slice(0, 100),
    };
  },
});

export const feedbackDatasetRoutes = [toDataset];
