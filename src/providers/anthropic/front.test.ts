import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { FenerError } from '../../core/index.js';
import type { ChatResult, ChatStreamEvent } from '../spec.js';
import { toAnthropicErrorBody } from './front-errors.js';
import { chatResultToAnthropic } from './front-encode.js';
import { parseAnthropicMessagesBody } from './front-parse.js';
import type { ParsedMessagesBody } from './front-parse.js';
import { AnthropicStreamEncoder } from './front-stream-encoder.js';

type Route = (body: unknown, response: ServerResponse) => void;

/** Serves our encoders' output to the official `@anthropic-ai/sdk`, as the gateway's /v1/messages would. */
async function withClient(route: Route, run: (client: Anthropic) => Promise<void>): Promise<void> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        route(JSON.parse(Buffer.concat(chunks).toString('utf8')), response);
      } catch (error) {
        const failure = error instanceof FenerError ? error : new FenerError('internal', String(error));
        response.writeHead(failure.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(toAnthropicErrorBody(failure)));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new Anthropic({ baseURL: `http://127.0.0.1:${port}`, apiKey: 'sk-ant-fener', maxRetries: 0 });
  try {
    await run(client);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function streamEvents(parsed: ParsedMessagesBody, events: ChatStreamEvent[], response: ServerResponse, failure?: FenerError): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  const encoder = new AnthropicStreamEncoder({ model: parsed.request.model });
  for (const event of events) response.write(encoder.encode(event));
  response.end(failure === undefined ? encoder.end() : encoder.error(failure));
}

test('an Anthropic SDK request parses into a ChatRequest', async () => {
  let parsed: ParsedMessagesBody | undefined;
  await withClient(
    (body, response) => {
      parsed = parseAnthropicMessagesBody(body);
      const result: ChatResult = {
        id: 'msg_1',
        model: 'm',
        created: 0,
        message: { role: 'assistant', content: 'ok' },
        finish_reason: 'stop',
      };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(chatResultToAnthropic(result, { model: parsed.request.model })));
    },
    async (client) => {
      await client.messages.create({
        model: 'my-claude',
        max_tokens: 300,
        system: [{ type: 'text', text: 'Be terse.', cache_control: { type: 'ephemeral' } }],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Weather?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: '21°C' },
              { type: 'text', text: 'And tomorrow?' },
            ],
          },
        ],
        tools: [
          { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
        ],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
        stop_sequences: ['END'],
        thinking: { type: 'enabled', budget_tokens: 1024 },
        output_config: { effort: 'low', format: { type: 'json_schema', schema: { type: 'object' } } },
        metadata: { user_id: 'u-9' },
      });
    },
  );
  assert.deepEqual(parsed, {
    stream: false,
    request: {
      model: 'my-claude',
      max_tokens: 300,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be terse.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '21°C' },
        { role: 'user', content: 'And tomorrow?' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
      stop: ['END'],
      user: 'u-9',
      response_format: { type: 'json_schema', json_schema: { name: 'output', schema: { type: 'object' } } },
      extra: { thinking: { type: 'enabled', budget_tokens: 1024 }, output_config: { effort: 'low' } },
    },
  });
});

test('bad Anthropic bodies are rejected naming the field, and the SDK reads our error body', async () => {
  const cases: [unknown, string][] = [
    [{ model: 'c', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens'],
    [{ model: 'c', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }, 'messages[0].role'],
    [{ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'document' }] }] }, 'messages[0].content[0].type'],
    [
      { model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'f', input_schema: { type: 'string' } }] },
      'tools[0].input_schema',
    ],
    [{ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tool_choice: { type: 'tool' } }, 'tool_choice.name'],
  ];
  for (const [body, param] of cases) assert.throws(() => parseAnthropicMessagesBody(body), { code: 'invalid_request', param }, param);
  await withClient(
    (body) => parseAnthropicMessagesBody(body),
    async (client) => {
      await assert.rejects(
        client.messages.create({ model: 'c', max_tokens: 0, messages: [{ role: 'user', content: 'x' }] }),
        (error: unknown) =>
          error instanceof Anthropic.BadRequestError &&
          error.status === 400 &&
          (error.error as { error?: { type?: string } }).error?.type === 'invalid_request_error' &&
          /max_tokens/.test(error.message),
      );
    },
  );
});

test('chatResultToAnthropic is read by the SDK as a message with tool_use', async () => {
  const result: ChatResult = {
    id: 'chatcmpl-1',
    model: 'gpt-4o',
    created: 0,
    message: {
      role: 'assistant',
      content: 'Let me check.',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    },
    finish_reason: 'tool_calls',
    usage: { input_tokens: 120, output_tokens: 30, cached_input_tokens: 100 },
  };
  await withClient(
    (body, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(chatResultToAnthropic(result, { model: parseAnthropicMessagesBody(body).request.model, id: 'msg_fener_1' })),
      );
    },
    async (client) => {
      const message = await client.messages.create({ model: 'alias', max_tokens: 50, messages: [{ role: 'user', content: 'Weather?' }] });
      assert.equal(message.id, 'msg_fener_1');
      assert.equal(message.model, 'alias');
      assert.equal(message.stop_reason, 'tool_use');
      assert.deepEqual(message.content, [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      ]);
      assert.equal(message.usage.input_tokens, 20);
      assert.equal(message.usage.cache_read_input_tokens, 100);
      assert.equal(message.usage.output_tokens, 30);
    },
  );
});

const streamed: ChatStreamEvent[] = [
  { type: 'response-start', id: 'chatcmpl-up', model: 'gpt-4o', created: 0 },
  { type: 'text-delta', text: 'Checking ' },
  { type: 'text-delta', text: 'both.' },
  { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
  { type: 'tool-call-delta', index: 0, arguments: '{"city":' },
  { type: 'tool-call-delta', index: 0, arguments: '"Paris"}' },
  { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time' },
  { type: 'usage', usage: { input_tokens: 50, output_tokens: 20 } },
  { type: 'finish', finish_reason: 'tool_calls' },
];

test('the stream encoder gives events the SDK accumulates into the final message', async () => {
  await withClient(
    (body, response) => streamEvents(parseAnthropicMessagesBody(body), streamed, response),
    async (client) => {
      const stream = client.messages.stream({ model: 'alias', max_tokens: 50, messages: [{ role: 'user', content: 'Weather?' }] });
      const types: string[] = [];
      stream.on('streamEvent', (event) => types.push(event.type));
      const message = await stream.finalMessage();
      assert.deepEqual(types, [
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'content_block_start',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      assert.equal(message.model, 'alias');
      assert.equal(message.stop_reason, 'tool_use');
      assert.deepEqual(message.content, [
        { type: 'text', text: 'Checking both.' },
        { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_b', name: 'get_time', input: {} },
      ]);
      assert.equal(message.usage.input_tokens, 50);
      assert.equal(message.usage.output_tokens, 20);
    },
  );
});

test('an error after the first byte reaches the SDK as an error event', async () => {
  const failure = new FenerError('upstream_unavailable', 'provider "x" is unavailable (HTTP 503)');
  await withClient(
    (body, response) => streamEvents(parseAnthropicMessagesBody(body), streamed.slice(0, 2), response, failure),
    async (client) => {
      const stream = client.messages.stream({ model: 'alias', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] });
      await assert.rejects(
        stream.finalMessage(),
        (error: unknown) => error instanceof Anthropic.APIError && /unavailable/.test(error.message),
      );
    },
  );
});
