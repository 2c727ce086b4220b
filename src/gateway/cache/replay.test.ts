import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatResult, ChatStreamEvent } from '../../providers/index.js';
import { StreamAssembler } from '../stream-assembler.js';
import { chunkWords, replayAsStream } from './replay.js';
import { StreamCapture } from './stream-capture.js';

const textAnswer: ChatResult = {
  id: 'chatcmpl-1',
  model: 'gpt-4o-mini',
  created: 1_700_000_000,
  message: { role: 'assistant', content: '  Water boils at 100 °C\n(212 °F) at sea level — 🌊 roughly.  ' },
  finish_reason: 'stop',
  usage: { input_tokens: 20, output_tokens: 14 },
};

const toolAnswer: ChatResult = {
  id: 'chatcmpl-2',
  model: 'gpt-4o-mini',
  created: 1_700_000_001,
  message: {
    role: 'assistant',
    content: null,
    tool_calls: [
      {
        id: 'call_a',
        type: 'function',
        function: { name: 'get_weather', arguments: JSON.stringify({ city: 'İzmir', unit: 'c', note: 'x'.repeat(150) }) },
      },
      { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ],
  },
  finish_reason: 'tool_calls',
  usage: { input_tokens: 50, output_tokens: 30, cached_input_tokens: 10 },
};

async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const all: ChatStreamEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('replayAsStream', () => {
  it('streams text in chunks of a few words that join back to the same text', async () => {
    const events = await collect(replayAsStream(textAnswer, { wordsPerChunk: 3 }));
    assert.deepEqual(events[0], { type: 'response-start', id: 'chatcmpl-1', model: 'gpt-4o-mini', created: 1_700_000_000 });
    const deltas = events.filter((event) => event.type === 'text-delta');
    assert.ok(deltas.length >= 4, `several chunks, got ${deltas.length}`);
    const assembler = new StreamAssembler();
    for (const event of events) assembler.add(event);
    assert.equal(assembler.message.content, textAnswer.message.content);
    assert.equal(assembler.finishReason, 'stop');
    assert.deepEqual(assembler.usage, textAnswer.usage);
    assert.deepEqual(
      events.slice(-2).map((event) => event.type),
      ['finish', 'usage'],
    );
  });

  it('streams tool calls as start and argument deltas that reassemble to the same calls', async () => {
    const events = await collect(replayAsStream(toolAnswer, { argumentCharsPerChunk: 16 }));
    const assembler = new StreamAssembler();
    for (const event of events) assembler.add(event);
    assert.deepEqual(assembler.message.tool_calls, toolAnswer.message.tool_calls);
    assert.equal(assembler.message.content, null);
    assert.equal(assembler.finishReason, 'tool_calls');
    assert.ok(events.filter((event) => event.type === 'tool-call-delta').length > 2);
  });

  it('round-trips through StreamCapture to the same result', async () => {
    for (const answer of [textAnswer, toolAnswer]) {
      const capture = new StreamCapture();
      for await (const event of replayAsStream(answer)) capture.add(event);
      assert.deepEqual(capture.result(), answer);
    }
  });

  it('replays a refusal as refusal deltas', async () => {
    const refusal: ChatResult = {
      ...textAnswer,
      message: { role: 'assistant', content: null, refusal: 'I cannot help with that request.' },
    };
    const capture = new StreamCapture();
    const events = await collect(replayAsStream(refusal));
    for (const event of events) capture.add(event);
    assert.ok(events.some((event) => event.type === 'refusal-delta'));
    assert.deepEqual(capture.result(), refusal);
  });

  it('sends no usage event when the result has none', async () => {
    const { usage: _usage, ...withoutUsage } = textAnswer;
    const events = await collect(replayAsStream(withoutUsage));
    assert.equal(events.at(-1)?.type, 'finish');
  });
});

describe('chunkWords', () => {
  it('keeps every character', () => {
    for (const text of ['', 'one', ' lead', 'a  b\tc\n\nd ', 'x '.repeat(9)]) {
      assert.equal(chunkWords(text, 2).join(''), text);
    }
    assert.deepEqual(chunkWords('a b c d e', 2), ['a b ', 'c d ', 'e']);
  });
});

describe('StreamCapture', () => {
  it('gives no result for a stream that never finished', () => {
    const capture = new StreamCapture();
    capture.add({ type: 'response-start', id: 'x', model: 'm', created: 1 });
    capture.add({ type: 'text-delta', text: 'partial' });
    assert.equal(capture.result(), undefined);
  });
});
