import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { FenerError } from '../../core/index.js';
import type { ChatResult, ChatStreamEvent } from '../spec.js';
import { parseOpenAIChatBody } from './front-chat.js';
import type { ParsedChatBody } from './front-chat.js';
import { embeddingResultToOpenAI, parseOpenAIEmbeddingsBody } from './front-embeddings.js';
import { chatResultToOpenAI } from './front-encode.js';
import { OpenAIStreamEncoder } from './front-stream-encoder.js';

type Route = (body: unknown, response: ServerResponse) => void;

/** Serves our encoders' output to the official `openai` client, as the gateway's /v1 would. */
async function withClient(route: Route, run: (client: OpenAI) => Promise<void>): Promise<void> {
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => route(JSON.parse(Buffer.concat(chunks).toString('utf8')), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'sk-fener-test', maxRetries: 0 });
  try {
    await run(client);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function streamEvents(parsed: ParsedChatBody, events: ChatStreamEvent[], response: ServerResponse, failure?: FenerError): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  const encoder = new OpenAIStreamEncoder({ model: parsed.request.model, includeUsage: parsed.includeUsage });
  for (const event of events) response.write(encoder.encode(event));
  response.end(failure === undefined ? encoder.end() : encoder.error(failure));
}

const toolEvents: ChatStreamEvent[] = [
  { type: 'response-start', id: 'chatcmpl-up-1', model: 'upstream-model', created: 1741601650 },
  { type: 'text-delta', text: 'Checking both.' },
  { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
  { type: 'tool-call-delta', index: 0, arguments: '{"location":' },
  { type: 'tool-call-delta', index: 0, arguments: ' "Paris"}' },
  { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_weather' },
  { type: 'tool-call-delta', index: 1, arguments: '{"location": "Tokyo"}' },
  { type: 'usage', usage: { input_tokens: 88, output_tokens: 46, cached_input_tokens: 64 } },
  { type: 'finish', finish_reason: 'tool_calls' },
];

test('chatResultToOpenAI is read by the official client as a chat.completion', async () => {
  const result: ChatResult = {
    id: 'chatcmpl-up-2',
    model: 'upstream-model',
    created: 1741570283,
    message: {
      role: 'assistant',
      content: 'Paris.',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    },
    finish_reason: 'tool_calls',
    usage: { input_tokens: 10, output_tokens: 2, cached_input_tokens: 4 },
  };
  await withClient(
    (body, response) => {
      const parsed = parseOpenAIChatBody(body);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(chatResultToOpenAI(result, { model: parsed.request.model, id: 'chatcmpl-fener-1' })));
    },
    async (client) => {
      const completion = await client.chat.completions.create({
        model: 'my-alias',
        messages: [{ role: 'user', content: 'Capital?' }],
        max_completion_tokens: 20,
      });
      assert.equal(completion.id, 'chatcmpl-fener-1');
      assert.equal(completion.object, 'chat.completion');
      assert.equal(completion.model, 'my-alias');
      assert.equal(completion.choices[0]?.message.content, 'Paris.');
      assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
      assert.deepEqual(completion.choices[0]?.message.tool_calls, result.message.tool_calls);
      assert.deepEqual(completion.usage, {
        prompt_tokens: 10,
        completion_tokens: 2,
        total_tokens: 12,
        prompt_tokens_details: { cached_tokens: 4 },
      });
    },
  );
});

test('the stream encoder gives what the official client accumulates: text, parallel tool calls, usage', async () => {
  await withClient(
    (body, response) => streamEvents(parseOpenAIChatBody(body), toolEvents, response),
    async (client) => {
      const stream = client.chat.completions.stream({
        model: 'my-alias',
        messages: [{ role: 'user', content: 'Weather in Paris and Tokyo?' }],
        tools: [
          {
            type: 'function',
            function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } },
          },
        ],
        stream_options: { include_usage: true },
      });
      const completion = await stream.finalChatCompletion();
      const message = completion.choices[0]?.message;
      assert.equal(completion.model, 'my-alias');
      assert.equal(completion.id, 'chatcmpl-up-1');
      assert.equal(message?.content, 'Checking both.');
      assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
      assert.deepEqual(
        message?.tool_calls?.map((call) =>
          call.type === 'function' ? [call.id, call.function.name, JSON.parse(call.function.arguments)] : [],
        ),
        [
          ['call_a', 'get_weather', { location: 'Paris' }],
          ['call_b', 'get_weather', { location: 'Tokyo' }],
        ],
      );
      assert.equal(completion.usage?.prompt_tokens, 88);
      assert.equal(completion.usage?.prompt_tokens_details?.cached_tokens, 64);
    },
  );
});

test('raw chunks: role first, usage chunk with empty choices only when asked, then [DONE]', async () => {
  for (const includeUsage of [true, false]) {
    await withClient(
      (body, response) => streamEvents(parseOpenAIChatBody(body), toolEvents, response),
      async (client) => {
        const stream = await client.chat.completions.create({
          model: 'm',
          messages: [{ role: 'user', content: 'x' }],
          stream: true,
          ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
        });
        const chunks = [];
        for await (const chunk of stream) chunks.push(chunk);
        assert.equal(chunks[0]?.choices[0]?.delta.role, 'assistant');
        assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === 'chatcmpl-up-1'));
        const last = chunks.at(-1)!;
        if (includeUsage) {
          assert.deepEqual(last.choices, []);
          assert.equal(last.usage?.total_tokens, 134);
          assert.ok(chunks.slice(0, -1).every((chunk) => chunk.usage === null));
        } else {
          assert.equal(last.choices[0]?.finish_reason, 'tool_calls');
          assert.ok(chunks.every((chunk) => !('usage' in chunk)));
        }
      },
    );
  }
});

test('an error after the first byte reaches the official client as an APIError', async () => {
  const failure = new FenerError('upstream_unavailable', 'provider "x" could not be reached (ECONNRESET)');
  await withClient(
    (body, response) => streamEvents(parseOpenAIChatBody(body), toolEvents.slice(0, 3), response, failure),
    async (client) => {
      const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
      const seen: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
        })(),
        (error: unknown) => error instanceof OpenAI.APIError && /could not be reached/.test(error.message) && error.type === 'server_error',
      );
      assert.ok(seen.includes('Checking both.'));
    },
  );
});

test('embeddings: the official client (base64 by default) and float both decode to our vectors', async () => {
  const vectors = [
    [0.5, -0.25, 0.125],
    [-1, 2.5, 0.0078125],
  ];
  const formats: string[] = [];
  await withClient(
    (body, response) => {
      const parsed = parseOpenAIEmbeddingsBody(body);
      formats.push(parsed.encodingFormat);
      const result = { model: 'up', embeddings: vectors.slice(0, parsed.request.input.length), usage: { input_tokens: 5 } };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(embeddingResultToOpenAI(result, { model: parsed.request.model, encodingFormat: parsed.encodingFormat })));
    },
    async (client) => {
      const base64 = await client.embeddings.create({ model: 'emb', input: ['a', 'b'] });
      assert.deepEqual(
        base64.data.map((row) => row.embedding),
        vectors,
      );
      assert.equal(base64.model, 'emb');
      assert.deepEqual(base64.usage, { prompt_tokens: 5, total_tokens: 5 });
      const float = await client.embeddings.create({ model: 'emb', input: 'a', encoding_format: 'float' });
      assert.deepEqual(float.data[0]?.embedding, vectors[0]);
    },
  );
  assert.deepEqual(formats, ['base64', 'float']);
});
