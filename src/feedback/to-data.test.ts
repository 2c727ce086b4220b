import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Feedback, Trace } from '../store/index.js';
import { feedbackToData } from './to-data.js';
import { traceMessages, traceOutput } from './trace-text.js';

function trace(id: string, question: string, answer: string | null): Trace {
  return {
    id,
    model: 'small',
    request_body: { model: 'small', messages: [{ role: 'user', content: question }] },
    response_body: answer === null ? null : { message: { role: 'assistant', content: answer }, finish_reason: 'stop' },
  } as Trace;
}

let clock = 0;
function feedback(overrides: Partial<Feedback> & Pick<Feedback, 'kind' | 'trace_id'>): Feedback {
  clock++;
  return {
    id: `fbk_${clock}`,
    project_id: 'prj_a',
    dataset_item_id: null,
    queue_item_id: null,
    name: overrides.kind,
    value: null,
    label: null,
    correction: null,
    preference: null,
    comment: null,
    author: null,
    principal: 'key_a',
    created_at: clock,
    ...overrides,
  };
}

const traces = new Map([
  ['trc_1', trace('trc_1', 'Capital of France?', 'Lyon')],
  ['trc_2', trace('trc_2', 'Capital of Spain?', 'Madrid')],
  ['trc_3', trace('trc_3', 'Capital of France?', 'Paris')],
  ['trc_4', trace('trc_4', 'Hi', 'Hello')],
]);
const load = (id: string): Promise<Trace | undefined> => Promise.resolve(traces.get(id));

test('the latest correction is the expected output; thumbs, scores and labels become metadata', async () => {
  const data = await feedbackToData(
    [
      feedback({ kind: 'correction', trace_id: 'trc_1', correction: 'Marseille' }),
      feedback({ kind: 'thumbs', trace_id: 'trc_1', value: 0, label: 'down' }),
      feedback({ kind: 'correction', trace_id: 'trc_1', correction: 'Paris' }),
      feedback({ kind: 'score', name: 'stars', trace_id: 'trc_1', value: 2 }),
      feedback({ kind: 'label', name: 'topic', trace_id: 'trc_1', label: 'geography' }),
      feedback({ kind: 'thumbs', trace_id: 'trc_2', value: 1, label: 'up' }),
      feedback({ kind: 'thumbs', trace_id: 'trc_4', value: 0, label: 'down' }),
    ],
    load,
  );
  assert.deepEqual(data.items[0], {
    id: 'trace:trc_1',
    input: { messages: [{ role: 'user', content: 'Capital of France?' }] },
    expected: 'Paris',
    metadata: {
      source: { trace_id: 'trc_1', model: 'small' },
      feedback: { thumbs: { up: 0, down: 1 }, scores: { stars: [2] }, labels: { topic: ['geography'] }, corrections: 2 },
      original_output: 'Lyon',
    },
  });
  assert.equal(data.items[1]?.expected, 'Madrid', 'a thumbs-up answer is kept as the expected output');
  assert.equal(data.items[2]?.expected, null, 'an answer that only got thumbs down is not expected of anyone');
  assert.deepEqual(data.pairs, []);
});

test('preferences become pairs from trace outputs or given texts; unusable ones are reported, not dropped silently', async () => {
  const data = await feedbackToData(
    [
      feedback({
        kind: 'preference',
        trace_id: 'trc_1',
        preference: { chosen: { trace_id: 'trc_3', text: null }, rejected: { trace_id: 'trc_1', text: null } },
        author: 'ada',
      }),
      feedback({
        kind: 'preference',
        trace_id: 'trc_2',
        preference: { chosen: { trace_id: null, text: 'Madrid.' }, rejected: { trace_id: null, text: 'Barcelona.' } },
      }),
      feedback({
        kind: 'preference',
        trace_id: 'trc_2',
        preference: { chosen: { trace_id: 'trc_gone', text: null }, rejected: { trace_id: null, text: 'x' } },
      }),
      feedback({ kind: 'thumbs', trace_id: null, dataset_item_id: 'dsi_1', value: 1, label: 'up' }),
    ],
    load,
  );
  assert.deepEqual(
    data.pairs.map((pair) => [pair.id.startsWith('preference:fbk_'), pair.input.messages[0]?.content, pair.expected, pair.rejected]),
    [
      [true, 'Capital of France?', 'Paris', 'Lyon'],
      [true, 'Capital of Spain?', 'Madrid.', 'Barcelona.'],
    ],
  );
  assert.equal(data.pairs[0]?.metadata.author, 'ada');
  assert.equal(data.skipped.length, 2);
  assert.match(data.skipped[0]!.reason, /no text/);
  assert.match(data.skipped[1]!.reason, /dataset item/);
});

test('trace text: OpenAI and Anthropic request shapes, content parts, stored and wire responses', () => {
  assert.deepEqual(
    traceMessages({
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image' }, { type: 'text', text: 'b' }] }],
    }),
    [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'a\nb' },
    ],
  );
  assert.equal(traceMessages({ input: ['embed me'] }), null);
  assert.equal(traceOutput({ choices: [{ message: { content: 'wire' } }] }), 'wire');
  assert.equal(traceOutput({ content: [{ type: 'text', text: 'claude' }] }), 'claude');
  assert.equal(traceOutput({ message: { content: null, tool_calls: [] } }), null);
  assert.equal(traceOutput('garbage'), null);
});
