import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FenerError } from '../../core/index.js';
import type { ChatRequest } from '../spec.js';
import { anthropicBody } from './convert-request.js';

const options = { stream: false, defaultMaxTokens: 4096 };

test('a tool conversation translates to Anthropic blocks, with tool results merged in one user turn', () => {
  const request: ChatRequest = {
    model: 'claude-sonnet-4-20250514',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'developer', content: [{ type: 'text', text: 'Use tools.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather here and there?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/map.jpg' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Tokyo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '21°C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '18°C' }] },
      { role: 'user', content: 'Thanks, and in Fahrenheit?' },
    ],
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather now',
          parameters: { type: 'object', properties: { location: { type: 'string' } } },
        },
      },
    ],
    tool_choice: 'required',
    parallel_tool_calls: false,
    stop: ['END'],
    temperature: 0.2,
    top_p: 0.9,
    user: 'user-7',
    seed: 1,
    extra: { top_k: 5, logprobs: true, output_config: { effort: 'low' } },
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: {} } } },
  };
  assert.deepEqual(anthropicBody(request, options), {
    model: 'claude-sonnet-4-20250514',
    max_tokens: 4096,
    system: [
      { type: 'text', text: 'You are terse.' },
      { type: 'text', text: 'Use tools.' },
    ],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather here and there?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/map.jpg' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { location: 'Tokyo' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '21°C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '18°C' }] },
          { type: 'text', text: 'Thanks, and in Fahrenheit?' },
        ],
      },
    ],
    tools: [
      { name: 'get_weather', description: 'Weather now', input_schema: { type: 'object', properties: { location: { type: 'string' } } } },
    ],
    tool_choice: { type: 'any', disable_parallel_tool_use: true },
    stop_sequences: ['END'],
    temperature: 0.2,
    top_p: 0.9,
    metadata: { user_id: 'user-7' },
    top_k: 5,
    output_config: { effort: 'low', format: { type: 'json_schema', schema: { type: 'object', properties: {} } } },
  });
});

test('tool_choice maps auto/none/function, and the request max_tokens wins over the default', () => {
  const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'f' } }];
  const base: ChatRequest = { model: 'c', messages: [{ role: 'user', content: 'x' }], tools, max_tokens: 12 };
  const choice = (tool_choice: ChatRequest['tool_choice']) => anthropicBody({ ...base, tool_choice }, { ...options, stream: true });
  assert.deepEqual(choice('auto').tool_choice, { type: 'auto' });
  assert.deepEqual(choice('none').tool_choice, { type: 'none' });
  assert.deepEqual(choice({ type: 'function', function: { name: 'f' } }).tool_choice, { type: 'tool', name: 'f' });
  assert.equal(choice(undefined).tool_choice, undefined);
  assert.equal(choice('auto').max_tokens, 12);
  assert.equal(choice('auto').stream, true);
  assert.deepEqual((choice('auto').tools as unknown[])[0], { name: 'f', input_schema: { type: 'object', properties: {} } });
});

test('bad image URLs and non-object tool arguments are invalid_request naming the field', () => {
  const image: ChatRequest = { model: 'c', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }] };
  assert.throws(() => anthropicBody(image, options), {
    name: 'FenerError',
    code: 'invalid_request',
    param: 'messages[0].content[0].image_url.url',
  });
  const args: ChatRequest = {
    model: 'c',
    messages: [
      { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '[1]' } }] },
    ],
  };
  assert.throws(
    () => anthropicBody(args, options),
    (error: unknown) => error instanceof FenerError && error.param === 'messages[0].tool_calls[0].function.arguments',
  );
});
