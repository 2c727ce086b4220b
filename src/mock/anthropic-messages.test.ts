import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startMockProvider, type MockProvider } from './index.js';

let provider: MockProvider;
let client: Anthropic;

before(async () => {
  provider = await startMockProvider({ port: 0, seed: 3 });
  client = new Anthropic({ baseURL: provider.url, apiKey: 'x', maxRetries: 0 });
});
after(() => provider.close());

const searchTool: Anthropic.Tool = {
  name: 'search_docs',
  description: 'Search the documentation',
  input_schema: {
    type: 'object',
    properties: {
      query: { type: 'string' },
      limit: { type: 'integer', minimum: 1, maximum: 10 },
      scope: { type: 'string', enum: ['api', 'guides'] },
    },
    required: ['query'],
  },
};

function assertSearchInput(input: unknown): void {
  assert.ok(typeof input === 'object' && input !== null);
  const { query, limit, scope } = input as Record<string, unknown>;
  assert.equal(typeof query, 'string');
  assert.ok(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= 10);
  assert.ok(scope === 'api' || scope === 'guides');
}

test('a message has text content, a stop reason and usage', async () => {
  const message = await client.messages.create({
    model: 'claude-sonnet-4-5',
    max_tokens: 100,
    system: [{ type: 'text', text: 'You are terse.' }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there' }] }],
  });
  assert.match(message.id, /^msg_/);
  assert.equal(message.type, 'message');
  assert.equal(message.role, 'assistant');
  assert.equal(message.model, 'claude-sonnet-4-5');
  assert.equal(message.stop_reason, 'end_turn');
  assert.equal(message.stop_sequence, null);
  const block = message.content[0];
  assert.ok(block?.type === 'text');
  assert.equal(block.text.split(' ').length, 16);
  // "You are terse." = 4, "Hello there" = 2, + 3 for the one message.
  assert.equal(message.usage.input_tokens, 9);
  assert.equal(message.usage.output_tokens, 16);
  assert.equal(message.usage.cache_read_input_tokens, 0);
  assert.equal(message.usage.cache_creation_input_tokens, 0);
});

test('max_tokens caps with "max_tokens"; a stop sequence stops with "stop_sequence"', async () => {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'write' }];
  const capped = await client.messages.create({ model: 'c', max_tokens: 4, messages });
  assert.equal(capped.stop_reason, 'max_tokens');
  assert.equal(capped.usage.output_tokens, 4);
  const full = await client.messages.create({ model: 'c', max_tokens: 1000, messages });
  const text = full.content[0]?.type === 'text' ? full.content[0].text : '';
  const stopWord = text.split(' ')[2] ?? '';
  const stopped = await client.messages.create({ model: 'c', max_tokens: 1000, messages, stop_sequences: [stopWord] });
  assert.equal(stopped.stop_reason, 'stop_sequence');
  assert.equal(stopped.stop_sequence, stopWord);
  assert.equal(stopped.content[0]?.type === 'text' ? stopped.content[0].text : undefined, text.slice(0, text.indexOf(stopWord)));
});

test('a mentioned tool is called with input that follows input_schema', async () => {
  const message = await client.messages.create({
    model: 'c',
    max_tokens: 200,
    tools: [searchTool],
    messages: [{ role: 'user', content: 'use search_docs to find rate limits' }],
  });
  assert.equal(message.stop_reason, 'tool_use');
  const block = message.content[0];
  assert.ok(block?.type === 'tool_use');
  assert.match(block.id, /^toolu_/);
  assert.equal(block.name, 'search_docs');
  assertSearchInput(block.input);
});

test('a streamed tool-use call assembles into the final message', async () => {
  const stream = client.messages.stream({
    model: 'c',
    max_tokens: 200,
    tools: [searchTool],
    tool_choice: { type: 'tool', name: 'search_docs' },
    messages: [{ role: 'user', content: 'find something' }],
  });
  const events: string[] = [];
  let partialJson = '';
  stream.on('streamEvent', (event) => {
    events.push(event.type);
    if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') partialJson += event.delta.partial_json;
  });
  const message = await stream.finalMessage();
  assert.equal(message.stop_reason, 'tool_use');
  const block = message.content[0];
  assert.ok(block?.type === 'tool_use');
  assertSearchInput(block.input);
  assert.deepEqual(JSON.parse(partialJson), block.input);
  assert.ok(message.usage.output_tokens > 0);
  // The SDK swallows `ping`; the raw stream below checks it.
  const distinct = events.filter((type, index) => type !== events[index - 1]);
  assert.deepEqual(distinct, [
    'message_start',
    'content_block_start',
    'content_block_delta',
    'content_block_stop',
    'message_delta',
    'message_stop',
  ]);
});

test('the raw stream follows Anthropic event order, each event named and with matching data type', async () => {
  const response = await fetch(`${provider.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'c', max_tokens: 3, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const frames = (await response.text()).split('\n\n').filter((frame) => frame.length > 0);
  const names = frames.map((frame) => {
    const [eventLine, dataLine, ...rest] = frame.split('\n');
    assert.equal(rest.length, 0);
    const name = eventLine?.replace(/^event: /, '');
    const data = JSON.parse(dataLine?.replace(/^data: /, '') ?? '') as { type: string };
    assert.equal(data.type, name);
    return name;
  });
  assert.deepEqual(names, [
    'message_start',
    'content_block_start',
    'ping',
    'content_block_delta',
    'content_block_delta',
    'content_block_delta',
    'content_block_stop',
    'message_delta',
    'message_stop',
  ]);
});

test('a streamed text message equals the non-streamed one', async () => {
  const params = { model: 'c', max_tokens: 50, messages: [{ role: 'user' as const, content: 'same please' }] };
  const plain = await client.messages.create(params);
  const streamed = await client.messages.stream(params).finalMessage();
  assert.deepEqual(streamed.content, plain.content);
  assert.equal(streamed.stop_reason, 'end_turn');
  assert.equal(streamed.usage.output_tokens, plain.usage.output_tokens);
});

test('tool_choice none and a conversation ending with a tool result answer in words', async () => {
  const none = await client.messages.create({
    model: 'c',
    max_tokens: 50,
    tools: [searchTool],
    tool_choice: { type: 'none' },
    messages: [{ role: 'user', content: 'use search_docs' }],
  });
  assert.equal(none.stop_reason, 'end_turn');
  const afterResult = await client.messages.create({
    model: 'c',
    max_tokens: 50,
    tools: [searchTool],
    messages: [
      { role: 'user', content: 'use search_docs' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'search_docs', input: { query: 'x' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found it' }] },
    ],
  });
  assert.equal(afterResult.stop_reason, 'end_turn');
  const any = await client.messages.create({
    model: 'c',
    max_tokens: 50,
    tools: [searchTool],
    tool_choice: { type: 'any' },
    messages: [{ role: 'user', content: 'no names here' }],
  });
  assert.equal(any.stop_reason, 'tool_use');
});

test('missing max_tokens is a 400 in Anthropic error shape', async () => {
  const response = await fetch(`${provider.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'c', messages: [{ role: 'user', content: 'x' }] }),
  });
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    type: 'error',
    error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
  });
  await assert.rejects(
    client.messages.create({ model: 'c', messages: [] } as unknown as Anthropic.MessageCreateParamsNonStreaming),
    (error: unknown) => error instanceof Anthropic.BadRequestError && error.status === 400,
  );
});

test('two mentioned tools stream as two tool_use blocks', async () => {
  const clockTool: Anthropic.Tool = { name: 'read_clock', input_schema: { type: 'object', properties: { zone: { type: 'string' } } } };
  const message = await client.messages
    .stream({
      model: 'c',
      max_tokens: 200,
      tools: [searchTool, clockTool],
      messages: [{ role: 'user', content: 'read_clock, then search_docs' }],
    })
    .finalMessage();
  assert.deepEqual(
    message.content.map((block) => (block.type === 'tool_use' ? block.name : block.type)),
    ['search_docs', 'read_clock'],
  );
  const [search, clock] = message.content;
  assert.ok(search?.type === 'tool_use' && clock?.type === 'tool_use');
  assertSearchInput(search.input);
  assert.equal(typeof (clock.input as { zone: unknown }).zone, 'string');
});
