import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockProvider, type MockProvider } from './index.js';

let provider: MockProvider;
let client: OpenAI;

before(async () => {
  provider = await startMockProvider({ port: 0, seed: 7 });
  client = new OpenAI({ baseURL: `${provider.url}/v1`, apiKey: 'x', maxRetries: 0 });
});
after(() => provider.close());

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 5 },
        hourly: { type: 'boolean' },
      },
      required: ['city', 'unit', 'days', 'hourly'],
    },
  },
};

test('a chat completion has text, usage and the request model', async () => {
  const completion = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello, world!' },
    ],
  });
  assert.equal(completion.object, 'chat.completion');
  assert.match(completion.id, /^chatcmpl-/);
  assert.equal(completion.model, 'gpt-4o-mini');
  const choice = completion.choices[0];
  assert.ok(choice);
  assert.equal(choice.finish_reason, 'stop');
  assert.equal(choice.message.role, 'assistant');
  assert.equal(choice.message.content?.split(' ').length, 16);
  // "Be brief." = 3 and "Hello, world!" = 4 by the heuristic, + 3 per message + 3 priming.
  assert.deepEqual(
    {
      prompt: completion.usage?.prompt_tokens,
      completion: completion.usage?.completion_tokens,
      total: completion.usage?.total_tokens,
      cached: completion.usage?.prompt_tokens_details?.cached_tokens,
    },
    { prompt: 16, completion: 16, total: 32, cached: 0 },
  );
});

test('the same request gives the same text, streamed or not; another conversation gives another', async () => {
  const messages = [{ role: 'user' as const, content: 'Tell me a story' }];
  const first = await client.chat.completions.create({ model: 'm', messages, temperature: 0.7, user: 'u1' });
  const second = await client.chat.completions.create({ model: 'm', messages, seed: undefined });
  assert.equal(first.choices[0]?.message.content, second.choices[0]?.message.content);
  const other = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Another' }] });
  assert.notEqual(other.choices[0]?.message.content, first.choices[0]?.message.content);

  const stream = await client.chat.completions.create({
    model: 'm',
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let firstDeltaRole: string | undefined;
  let finish: string | null | undefined;
  let usage: OpenAI.CompletionUsage | undefined;
  let chunks = 0;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    const choice = chunk.choices[0];
    if (chunks++ === 0) firstDeltaRole = choice?.delta.role;
    text += choice?.delta.content ?? '';
    if (choice?.finish_reason) finish = choice.finish_reason;
    if (chunk.usage) {
      assert.equal(chunk.choices.length, 0, 'the usage chunk has no choices');
      usage = chunk.usage;
    }
  }
  assert.equal(firstDeltaRole, 'assistant');
  assert.equal(finish, 'stop');
  assert.equal(text, first.choices[0]?.message.content);
  assert.equal(usage?.completion_tokens, 16);
  assert.equal(usage?.total_tokens, (usage?.prompt_tokens ?? 0) + 16);
});

test('max_tokens and max_completion_tokens cap the answer with finish_reason "length"', async () => {
  const capped = await client.chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
    max_tokens: 5,
  });
  assert.equal(capped.choices[0]?.finish_reason, 'length');
  assert.equal(capped.usage?.completion_tokens, 5);
  assert.equal(capped.choices[0]?.message.content?.split(' ').length, 5);
  const roomy = await client.chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
    max_completion_tokens: 100,
  });
  assert.equal(roomy.choices[0]?.finish_reason, 'stop');
  assert.ok(roomy.choices[0]?.message.content?.startsWith(capped.choices[0]?.message.content ?? '-'));
});

test('a stop string cuts the answer before it', async () => {
  const messages = [{ role: 'user' as const, content: 'stop test' }];
  const full = (await client.chat.completions.create({ model: 'm', messages })).choices[0]?.message.content ?? '';
  const stopWord = full.split(' ')[3] ?? '';
  assert.ok(stopWord.length > 0);
  const stopped = await client.chat.completions.create({ model: 'm', messages, stop: [stopWord, 'zzzz'] });
  const expected = full.slice(0, full.indexOf(stopWord));
  assert.equal(stopped.choices[0]?.message.content, expected);
  assert.equal(stopped.choices[0]?.finish_reason, 'stop');
});

test('a tool named in the user message is called with arguments that follow its schema', async () => {
  const completion = await client.chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'Please use get_weather for Paris' }],
    tools: [weatherTool],
  });
  const choice = completion.choices[0];
  assert.equal(choice?.finish_reason, 'tool_calls');
  assert.equal(choice?.message.content, null);
  const call = choice?.message.tool_calls?.[0];
  assert.ok(call && call.type === 'function');
  assert.match(call.id, /^call_/);
  assert.equal(call.function.name, 'get_weather');
  assertWeatherArguments(JSON.parse(call.function.arguments));
  assert.equal(completion.usage?.completion_tokens, Math.ceil(call.function.arguments.length / 4));
});

function assertWeatherArguments(args: unknown): void {
  assert.ok(typeof args === 'object' && args !== null);
  const { city, unit, days, hourly } = args as Record<string, unknown>;
  assert.equal(typeof city, 'string');
  assert.ok(unit === 'celsius' || unit === 'fahrenheit', `unit ${String(unit)}`);
  assert.ok(Number.isInteger(days) && (days as number) >= 1 && (days as number) <= 5, `days ${String(days)}`);
  assert.equal(typeof hourly, 'boolean');
}

test('tool_choice decides: none answers in words, a named function or "required" always calls', async () => {
  const messages = [{ role: 'user' as const, content: 'What about get_weather?' }];
  const none = await client.chat.completions.create({ model: 'm', messages, tools: [weatherTool], tool_choice: 'none' });
  assert.equal(none.choices[0]?.finish_reason, 'stop');
  const unmentioned = [{ role: 'user' as const, content: 'Nothing to call here' }];
  const auto = await client.chat.completions.create({ model: 'm', messages: unmentioned, tools: [weatherTool] });
  assert.equal(auto.choices[0]?.message.tool_calls, undefined);
  const required = await client.chat.completions.create({
    model: 'm',
    messages: unmentioned,
    tools: [weatherTool],
    tool_choice: 'required',
  });
  assert.equal(required.choices[0]?.message.tool_calls?.length, 1);
  const named = await client.chat.completions.create({
    model: 'm',
    messages: unmentioned,
    tools: [weatherTool],
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
  });
  assert.equal(named.choices[0]?.finish_reason, 'tool_calls');
  const afterResult = await client.chat.completions.create({
    model: 'm',
    tools: [weatherTool],
    messages: [
      ...messages,
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 21}' },
    ],
  });
  assert.equal(afterResult.choices[0]?.finish_reason, 'stop', 'a tool result is answered in words');
});

test('a streamed tool call reassembles into valid JSON arguments', async () => {
  const stream = await client.chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'call get_weather now' }],
    tools: [weatherTool],
    stream: true,
  });
  const calls: { id?: string; name?: string; arguments: string }[] = [];
  let finish: string | null | undefined;
  let firstDelta: OpenAI.ChatCompletionChunk.Choice.Delta | undefined;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    firstDelta ??= choice?.delta;
    for (const delta of choice?.delta.tool_calls ?? []) {
      const call = (calls[delta.index] ??= { arguments: '' });
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name = delta.function.name;
      call.arguments += delta.function?.arguments ?? '';
    }
    if (choice?.finish_reason) finish = choice.finish_reason;
  }
  assert.equal(firstDelta?.role, 'assistant');
  assert.equal(firstDelta?.tool_calls?.[0]?.function?.arguments, '', 'the opening delta has empty arguments');
  assert.equal(finish, 'tool_calls');
  assert.equal(calls.length, 1);
  assert.match(calls[0]?.id ?? '', /^call_/);
  assert.equal(calls[0]?.name, 'get_weather');
  assertWeatherArguments(JSON.parse(calls[0]?.arguments ?? ''));
});

test('response_format json_schema gives JSON that follows the schema; json_object gives JSON', async () => {
  const completion = await client.chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'describe a person' }],
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'person',
        schema: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            age: { type: 'integer', minimum: 18, maximum: 30 },
            tags: { type: 'array', items: { type: 'string' }, minItems: 3 },
            role: { enum: ['admin', 'user'] },
          },
        },
      },
    },
  });
  const person = JSON.parse(completion.choices[0]?.message.content ?? '') as Record<string, unknown>;
  assert.deepEqual(Object.keys(person), ['name', 'age', 'tags', 'role']);
  assert.ok(typeof person.age === 'number' && person.age >= 18 && person.age <= 30);
  assert.ok(Array.isArray(person.tags) && person.tags.length === 3);
  assert.ok(person.role === 'admin' || person.role === 'user');
  const object = await client.chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'json please' }],
    response_format: { type: 'json_object' },
  });
  assert.equal(typeof JSON.parse(object.choices[0]?.message.content ?? ''), 'object');
});

test('a request without model or messages is a 400 in OpenAI error shape', async () => {
  await assert.rejects(
    client.chat.completions.create({
      messages: [{ role: 'user', content: 'x' }],
    } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming),
    (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.equal(error.status, 400);
      assert.equal(error.param, 'model');
      assert.equal(error.type, 'invalid_request_error');
      return true;
    },
  );
  const response = await fetch(`${provider.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm' }),
  });
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    error: {
      message: "Missing required parameter: 'messages'.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'missing_required_parameter',
    },
  });
});

test('a tool_choice naming an unknown function is a 400', async () => {
  await assert.rejects(
    client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'nope' } },
    }),
    (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'tool_choice',
  );
});

test('two mentioned tools stream as two calls with their own index, id and arguments', async () => {
  const timeTool = { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object', properties: {} } } };
  const runner = client.chat.completions.stream({
    model: 'm',
    messages: [{ role: 'user', content: 'get_time and get_weather please' }],
    tools: [weatherTool, timeTool],
  });
  const completion = await runner.finalChatCompletion();
  const calls = completion.choices[0]?.message.tool_calls ?? [];
  assert.deepEqual(
    calls.map((call) => (call.type === 'function' ? call.function.name : call.type)),
    ['get_weather', 'get_time'],
  );
  assert.notEqual(calls[0]?.id, calls[1]?.id);
  const [weather, time] = calls;
  assert.ok(weather?.type === 'function' && time?.type === 'function');
  assertWeatherArguments(JSON.parse(weather.function.arguments));
  assert.deepEqual(JSON.parse(time.function.arguments), {});
});
