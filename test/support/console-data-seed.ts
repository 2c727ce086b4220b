/**
 * On top of the console's seeded Fener (console-seed.ts): a dataset with two versions, two
 * completed experiment runs that differ item by item, an annotation queue with one answer already
 * in it, and a deployment with a running canary that has served traffic.
 */
import { seedConsole, type SeededConsole } from './console-seed.js';
import { flushTraces } from './fener.js';

export interface SeededData extends SeededConsole {
  /** Baseline (plain text) and candidate (JSON answers) runs of the experiment `answers`. */
  runs: { baseline: string; candidate: string };
  /** Items of the runs whose expected answer is "yes" (the candidate gets these right). */
  yesItems: string[];
  /** Item of the queue that `ben` already answered with 4. */
  answeredItem: string;
  /** Calls sent through the canary of deployment `bot`. */
  canaryCalls: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await pause(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const messages = (content: string) => [{ role: 'user', content }];

async function seedDataset(seeded: SeededConsole): Promise<void> {
  await seeded.api('POST', '/api/datasets', { name: 'qa', description: 'Support questions' });
  const item = (id: string, question: string, expected: string) => ({ id, input: { messages: messages(question) }, expected });
  await seeded.api('POST', '/api/datasets/qa/items', {
    items: [
      item('q1', 'Where is my order?', 'In transit.'),
      item('q2', 'Can I return shoes?', 'Within 30 days.'),
      item('q3', 'Do you ship abroad?', 'Yes, to the EU.'),
      item('q4', 'What is your phone number?', 'Call 555-0100.'),
      item('q5', 'Is there a warranty?', 'Two years.'),
    ],
  });
  // v2: q1 changed, q5 removed, q6 added, q2–q4 unchanged.
  await seeded.api('POST', '/api/datasets/qa/items', {
    items: [
      item('q1', 'Where is my order?', 'It left the warehouse today.'),
      item('q2', 'Can I return shoes?', 'Within 30 days.'),
      item('q3', 'Do you ship abroad?', 'Yes, to the EU.'),
      item('q4', 'What is your phone number?', 'Call 555-0100.'),
      item('q6', 'Do you have gift cards?', 'Yes.'),
    ],
  });
  // More items than one page of the console (25).
  await seeded.api('POST', '/api/datasets', { name: 'many' });
  await seeded.api('POST', '/api/datasets/many/items', {
    items: Array.from({ length: 30 }, (_, index) => item(`m${index + 1}`, `Question ${index + 1}`, `Answer ${index + 1}`)),
  });
}

async function runExperiment(seeded: SeededConsole, variant: Record<string, unknown>, items: unknown[]): Promise<string> {
  const started = await seeded.api<{ id: string }>('POST', '/api/evals/runs', {
    name: 'answers',
    dataset: { items },
    variants: [variant],
    metrics: ['exact_match', 'json_valid'],
    seed: 3,
  });
  const run = await until(
    `run ${started.id}`,
    () => seeded.api<{ status: string }>('GET', `/api/evals/runs/${started.id}`),
    (value) => value.status !== 'running',
  );
  if (run.status !== 'completed') throw new Error(`run ${started.id} ended ${run.status}`);
  return started.id;
}

async function seedRuns(seeded: SeededConsole): Promise<{ runs: SeededData['runs']; yesItems: string[] }> {
  const yesItems = ['r1', 'r2', 'r3', 'r4'];
  const items = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((id) => ({
    id,
    input: { messages: messages(`Question ${id}: answer as JSON.`) },
    expected: JSON.stringify({ answer: yesItems.includes(id) ? 'yes' : 'no' }),
  }));
  const schema = { type: 'object', properties: { answer: { const: 'yes' } }, required: ['answer'] };
  const baseline = await runExperiment(seeded, { name: 'plain', model: 'small' }, items);
  const candidate = await runExperiment(
    seeded,
    { name: 'json', model: 'small', parameters: { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema } } } },
    items,
  );
  return { runs: { baseline, candidate }, yesItems };
}

async function seedQueue(seeded: SeededConsole): Promise<string> {
  await seeded.api('PUT', '/api/score-definitions/helpfulness', { kind: 'numeric', min: 1, max: 5 });
  await seeded.api('POST', '/api/queues', {
    name: 'review',
    description: 'Are the answers helpful?',
    reviewers: ['ann', 'ben'],
    required_reviews_per_item: 2,
    score_name: 'helpfulness',
  });
  // Three of the seeded app calls (experiment calls are traced outside the default project).
  await seeded.api('POST', '/api/queues/review/items', {
    trace_filter: { model: 'small', status: 'ok', metadata: { feature: 'seed' } },
    limit: 3,
  });
  const next = await seeded.api<{ item: { id: string } | null }>('GET', '/api/queues/review/next?reviewer=ben');
  if (!next.item) throw new Error('the queue gave ben no item');
  await seeded.api('POST', `/api/queues/review/items/${next.item.id}/submit`, { reviewer: 'ben', kind: 'score', value: 4 });
  return next.item.id;
}

async function seedCanary(seeded: SeededConsole): Promise<number> {
  await seeded.api('POST', '/api/deployments', { name: 'bot', model: 'small' });
  await seeded.api('POST', '/api/deployments/bot/canary', {
    variants: [
      { name: 'baseline', percent: 50 },
      { name: 'canary', percent: 50, spec: { model: 'large' } },
    ],
  });
  const calls = 24;
  for (let user = 0; user < calls; user++) {
    const response = await seeded.chat(seeded.appKey, { model: 'deployment:bot', user: `user-${user}`, messages: messages('Hello bot') });
    await response.text();
  }
  await flushTraces(seeded.server);
  // Counters reach the store on a one-second timer.
  await until(
    'the canary counters',
    () => seeded.api<{ counts: Record<string, { requests?: number }> }>('GET', '/api/deployments/bot/canary'),
    (value) => Object.values(value.counts).reduce((sum, metrics) => sum + (metrics.requests ?? 0), 0) === calls,
  );
  return calls;
}

export async function seedConsoleData(): Promise<SeededData> {
  const seeded = await seedConsole();
  try {
    await seedDataset(seeded);
    const { runs, yesItems } = await seedRuns(seeded);
    const answeredItem = await seedQueue(seeded);
    const canaryCalls = await seedCanary(seeded);
    await flushTraces(seeded.server);
    return { ...seeded, runs, yesItems, answeredItem, canaryCalls };
  } catch (error) {
    await seeded.stop();
    throw error;
  }
}
