import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FenerError } from '../../core/index.js';
import { parseOpenAIChatBody } from './front-chat.js';
import { parseOpenAIEmbeddingsBody } from './front-embeddings.js';

const user = { role: 'user', content: 'Hi' };

test('a full body becomes a ChatRequest; unknown fields go to extra', () => {
  const parsed = parseOpenAIChatBody({
    model: 'my-alias',
    messages: [
      { role: 'developer', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } },
        ],
      },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
    ],
    tools: [
      { type: 'function', function: { name: 'look', description: 'Looks', parameters: { type: 'object', properties: {} }, strict: null } },
    ],
    tool_choice: { type: 'function', function: { name: 'look' } },
    parallel_tool_calls: false,
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
    max_completion_tokens: 100,
    max_tokens: 5,
    stop: 'END',
    seed: 42,
    user: 'u-1',
    n: 1,
    temperature: null,
    stream: true,
    stream_options: { include_usage: true },
    logprobs: true,
    metadata: { team: 'a' },
  });
  assert.equal(parsed.stream, true);
  assert.equal(parsed.includeUsage, true);
  assert.deepEqual(parsed.request, {
    model: 'my-alias',
    messages: [
      { role: 'developer', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } },
        ],
      },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
    ],
    tools: [{ type: 'function', function: { name: 'look', description: 'Looks', parameters: { type: 'object', properties: {} } } }],
    tool_choice: { type: 'function', function: { name: 'look' } },
    parallel_tool_calls: false,
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
    max_tokens: 100,
    stop: ['END'],
    seed: 42,
    user: 'u-1',
    extra: { logprobs: true, metadata: { team: 'a' } },
  });
});

test('a minimal body: no stream, no usage chunk, no extra', () => {
  const parsed = parseOpenAIChatBody({ model: 'm', messages: [user], max_tokens: 7, stop: ['a', 'b'] });
  assert.deepEqual(parsed, {
    request: { model: 'm', messages: [user], max_tokens: 7, stop: ['a', 'b'] },
    stream: false,
    includeUsage: false,
  });
  assert.deepEqual(
    parseOpenAIChatBody({ model: 'm', messages: [user], response_format: { type: 'json_object' } }).request.response_format,
    {
      type: 'json_object',
    },
  );
});

function rejects(body: unknown, param: string | undefined, message?: RegExp): void {
  assert.throws(
    () => parseOpenAIChatBody(body),
    (error: unknown) => {
      assert.ok(error instanceof FenerError);
      assert.equal(error.code, 'invalid_request');
      assert.equal(error.status, 400);
      assert.equal(error.param, param);
      if (message) assert.match(error.message, message);
      return true;
    },
  );
}

test('bad bodies are rejected naming the field, as OpenAI param', () => {
  rejects('hello', undefined, /JSON object/);
  rejects([user], undefined, /JSON object/);
  rejects({ messages: [user] }, 'model');
  rejects({ model: 'm' }, 'messages');
  rejects({ model: 'm', messages: [{ role: 'bot', content: 'x' }] }, 'messages[0].role', /messages\[0\]\.role/);
  rejects({ model: 'm', messages: [user, { role: 'user', content: 3 }] }, 'messages[1].content');
  rejects({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages[0].content[0].text');
  rejects({ model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages[0].content[0].type');
  rejects({ model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id');
  rejects({ model: 'm', messages: [{ role: 'assistant' }] }, 'messages[0].content', /content or tool_calls/);
  rejects({ model: 'm', messages: [user], n: 2 }, 'n', /only n = 1/);
  rejects({ model: 'm', messages: [user], temperature: 3 }, 'temperature');
  rejects({ model: 'm', messages: [user], max_tokens: 0 }, 'max_tokens');
  rejects({ model: 'm', messages: [user], stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop');
  rejects({ model: 'm', messages: [user], stream: 'yes' }, 'stream');
  rejects({ model: 'm', messages: [user], response_format: { type: 'xml' } }, 'response_format.type');
  rejects(
    { model: 'm', messages: [user], tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }] },
    'tools[0].function.parameters',
    /JSON Schema object/,
  );
  rejects(
    { model: 'm', messages: [user], tools: [{ type: 'function', function: { name: 'f', parameters: [1] } }] },
    'tools[0].function.parameters',
  );
  rejects({ model: 'm', messages: [user], tool_choice: 'required' }, 'tool_choice', /tools/);
  rejects(
    {
      model: 'm',
      messages: [user],
      tools: [{ type: 'function', function: { name: 'f' } }],
      tool_choice: { type: 'function', function: { name: 'g' } },
    },
    'tool_choice.function.name',
    /"g"/,
  );
});

test('embeddings bodies: a string or strings, float or base64, dimensions', () => {
  assert.deepEqual(parseOpenAIEmbeddingsBody({ model: 'e', input: 'hello' }), {
    request: { model: 'e', input: ['hello'] },
    encodingFormat: 'float',
  });
  assert.deepEqual(parseOpenAIEmbeddingsBody({ model: 'e', input: ['a', 'b'], encoding_format: 'base64', dimensions: 256, user: 'u' }), {
    request: { model: 'e', input: ['a', 'b'], dimensions: 256, user: 'u' },
    encodingFormat: 'base64',
  });
  const bad: [unknown, string | undefined][] = [
    [{ model: 'e' }, 'input'],
    [{ model: 'e', input: [] }, 'input'],
    [{ model: 'e', input: [[1, 2, 3]] }, 'input[0]'],
    [{ model: 'e', input: 'x', encoding_format: 'int8' }, 'encoding_format'],
    [{ model: 'e', input: 'x', dimensions: -1 }, 'dimensions'],
    [{ input: 'x' }, 'model'],
  ];
  for (const [body, param] of bad) {
    assert.throws(() => parseOpenAIEmbeddingsBody(body), { code: 'invalid_request', param }, JSON.stringify(body));
  }
});
