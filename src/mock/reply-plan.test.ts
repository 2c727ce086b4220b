import { test } from 'node:test';
import assert from 'node:assert/strict';
import { valueFromSchema } from './json-from-schema.js';
import { createRandom } from './random.js';
import { planReply, type ReplyInput } from './reply-plan.js';
import { countTextTokens, generateWords } from './text-generator.js';

function input(overrides: Partial<ReplyInput> = {}): ReplyInput {
  return {
    random: createRandom(42),
    outputTokens: 12,
    maxTokens: undefined,
    stop: [],
    tools: [],
    toolChoice: { mode: 'auto' },
    parallelToolCalls: true,
    lastUserText: '',
    endsWithToolResult: false,
    format: { type: 'text' },
    ...overrides,
  };
}

test('the prompt token heuristic counts word pieces and punctuation, not spaces', () => {
  assert.equal(countTextTokens(''), 0);
  assert.equal(countTextTokens('   \n\t'), 0);
  assert.equal(countTextTokens('Hello, world!'), 4);
  assert.equal(countTextTokens('internationalization'), 4); // 20 letters, 6 per token
  assert.equal(countTextTokens('{"a": 12}'), 7); // { " a " : 12 }
  assert.equal(countTextTokens('日本'), 2);
});

test('generated words are deterministic per seed, one fragment per token, ending a sentence', () => {
  const first = generateWords(createRandom(1), 30);
  assert.deepEqual(generateWords(createRandom(1), 30), first);
  assert.notDeepEqual(generateWords(createRandom(2), 30), first);
  assert.equal(first.length, 30);
  assert.match(first[0] ?? '', /^[A-Z][a-z]+$/);
  assert.ok(first.slice(1).every((fragment) => /^ [A-Za-z]+\.?$/.test(fragment)));
  assert.ok(first.at(-1)?.endsWith('.'));
});

test('a stop sequence in the middle of a fragment cuts that fragment', () => {
  const full = planReply(input());
  assert.equal(full.kind, 'text');
  if (full.kind !== 'text') return;
  const cutAt = full.text.indexOf(full.fragments[2] ?? '') + 3;
  const sequence = full.text.slice(cutAt, cutAt + 3);
  const stopped = planReply(input({ stop: ['', sequence] }));
  assert.ok(stopped.kind === 'text');
  assert.equal(stopped.text, full.text.slice(0, full.text.indexOf(sequence)));
  assert.equal(stopped.fragments.join(''), stopped.text);
  assert.equal(stopped.finish, 'stop_sequence');
  assert.equal(stopped.stopSequence, sequence);
});

test('tools: auto calls every mentioned tool, or one without parallel calls; none never calls', () => {
  const tools = [
    { name: 'lookup', schema: { type: 'object', properties: { id: { type: 'integer' } } } },
    { name: 'notify', schema: undefined },
    { name: 'unused', schema: {} },
  ];
  const both = planReply(input({ tools, lastUserText: 'LOOKUP the user, then notify them' }));
  assert.ok(both.kind === 'tool_calls');
  assert.deepEqual(
    both.calls.map((call) => [call.name, call.argumentsJson.startsWith('{')]),
    [
      ['lookup', true],
      ['notify', true],
    ],
  );
  assert.equal(both.calls[1]?.argumentsJson, '{}');
  assert.notEqual(both.calls[0]?.idPart, both.calls[1]?.idPart);
  const single = planReply(input({ tools, lastUserText: 'lookup and notify', parallelToolCalls: false }));
  assert.ok(single.kind === 'tool_calls' && single.calls.length === 1);
  const none = planReply(input({ tools, lastUserText: 'lookup', toolChoice: { mode: 'none' } }));
  assert.equal(none.kind, 'text');
  const named = planReply(input({ tools, toolChoice: { mode: 'named', name: 'unused' } }));
  assert.ok(named.kind === 'tool_calls' && named.calls[0]?.name === 'unused');
});

test('values from a schema honour types, enums, const, bounds, formats and nesting', () => {
  const schema = {
    type: 'object',
    properties: {
      label: { type: 'string' },
      count: { type: 'integer', minimum: -3, maximum: -1 },
      ratio: { type: 'number', minimum: 0, maximum: 1 },
      flag: { type: 'boolean' },
      kind: { enum: ['a', 'b', 'c'] },
      fixed: { const: { x: 1 } },
      maybe: { type: ['null', 'string'] },
      when: { type: 'string', format: 'date-time' },
      email: { type: 'string', format: 'email' },
      list: { type: 'array', items: { type: 'integer', minimum: 5, maximum: 5 }, minItems: 4, maxItems: 4 },
      nested: { type: 'object', properties: { deep: { anyOf: [{ type: 'boolean' }, { type: 'string' }] } } },
    },
  };
  for (let seed = 0; seed < 50; seed++) {
    const value = valueFromSchema(schema, createRandom(seed)) as Record<string, unknown>;
    assert.equal(typeof value.label, 'string');
    assert.ok(Number.isInteger(value.count) && (value.count as number) >= -3 && (value.count as number) <= -1);
    assert.ok(typeof value.ratio === 'number' && value.ratio >= 0 && value.ratio <= 1);
    assert.equal(typeof value.flag, 'boolean');
    assert.ok(['a', 'b', 'c'].includes(value.kind as string));
    assert.deepEqual(value.fixed, { x: 1 });
    assert.equal(typeof value.maybe, 'string');
    assert.ok(!Number.isNaN(Date.parse(value.when as string)), String(value.when));
    assert.match(value.email as string, /^[a-z]+@example\.com$/);
    assert.deepEqual(value.list, [5, 5, 5, 5]);
    assert.equal(typeof (value.nested as Record<string, unknown>).deep, 'boolean');
  }
});

test('a self-referencing or silly schema still gives a value, without throwing', () => {
  const deep: Record<string, unknown> = { type: 'object', properties: {} };
  let node = deep;
  for (let i = 0; i < 50; i++) {
    const child: Record<string, unknown> = { type: 'object', properties: {} };
    (node.properties as Record<string, unknown>).child = child;
    node = child;
  }
  assert.doesNotThrow(() => JSON.stringify(valueFromSchema(deep, createRandom(1))));
  assert.equal(typeof valueFromSchema('nonsense', createRandom(1)), 'string');
  assert.equal(typeof valueFromSchema({ type: 'integer', minimum: 10, maximum: 2 }, createRandom(1)), 'number');
});
