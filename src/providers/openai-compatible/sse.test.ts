import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseDecoder, readSse } from './sse.js';
import type { SseEvent } from './sse.js';

const encoder = new TextEncoder();

/** Feeds `text` to a fresh decoder in pieces of `size` bytes (1 = every byte boundary). */
function decodeInPieces(text: string, size: number): SseEvent[] {
  const bytes = encoder.encode(text);
  const decoder = new SseDecoder();
  const events: SseEvent[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) events.push(...decoder.push(bytes.subarray(offset, offset + size)));
  events.push(...decoder.end());
  return events;
}

const stream = [
  ': keep-alive comment',
  'event: message_start',
  'data: {"a":1}',
  '',
  'data: {"text":"naïve ☀️ 日本"}',
  '',
  'data: first line',
  'data: second line',
  '',
  'id: 7',
  'retry: 1000',
  'data:no-space',
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');

const expected: SseEvent[] = [
  { event: 'message_start', data: '{"a":1}' },
  { event: undefined, data: '{"text":"naïve ☀️ 日本"}' },
  { event: undefined, data: 'first line\nsecond line' },
  { event: undefined, data: 'no-space' },
  { event: undefined, data: '[DONE]' },
];

test('decodes events whatever the chunk boundaries, including inside multi-byte characters', () => {
  for (const size of [1, 2, 3, 5, 7, 64, 100_000]) assert.deepEqual(decodeInPieces(stream, size), expected, `pieces of ${size}`);
});

test('accepts \\r\\n and lone \\r line endings, even when \\r\\n is split across chunks', () => {
  for (const size of [1, 2, 3, 100_000]) {
    assert.deepEqual(decodeInPieces(stream.replaceAll('\n', '\r\n'), size), expected, `CRLF, pieces of ${size}`);
    assert.deepEqual(decodeInPieces(stream.replaceAll('\n', '\r'), size), expected, `CR, pieces of ${size}`);
  }
});

test('a last event without its blank line still counts when the body ends', () => {
  assert.deepEqual(decodeInPieces('data: 1\n\ndata: [DONE]', 4), [
    { event: undefined, data: '1' },
    { event: undefined, data: '[DONE]' },
  ]);
});

test('comments and empty events dispatch nothing', () => {
  assert.deepEqual(decodeInPieces(': ping\n\n\n\nevent: x\n\n', 3), []);
});

test('readSse reads an async body of chunks', async () => {
  async function* body(): AsyncGenerator<Uint8Array> {
    yield encoder.encode('data: a\r');
    yield encoder.encode('\ndata: b\r\n\r');
    yield encoder.encode('\n');
  }
  const events: SseEvent[] = [];
  for await (const event of readSse(body())) events.push(event);
  assert.deepEqual(events, [{ event: undefined, data: 'a\nb' }]);
});
