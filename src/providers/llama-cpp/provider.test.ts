/**
 * The llama-cpp provider on the tiny random-weight model that the fixtures write: real loading,
 * tokenizing, generation and embedding in a real child process. The text is garbage; lengths,
 * usage, determinism and the process's life cycle are what is checked.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { tinyGgufPath } from '../../../test/fixtures/tiny-gguf.js';
import { FenerError, providerSchema } from '../../core/index.js';
import type { ChatRequest, ChatStreamEvent } from '../spec.js';
import { createLlamaCppProvider, type LlamaCppProvider } from './index.js';

let provider: LlamaCppProvider;
let modelPath: string;
let helloInputTokens: number;

const hello: ChatRequest = {
  model: 'tiny',
  messages: [
    { role: 'system', content: 'Answer briefly.' },
    { role: 'user', content: 'Hello, how are you?' },
  ],
  max_tokens: 12,
  temperature: 0,
};
/** Longer than any test waits for: about 5 s of generation on this machine's tiny model. */
const long: ChatRequest = { ...hello, max_tokens: 4000 };

before(async () => {
  modelPath = await tinyGgufPath();
  provider = createLlamaCppProvider(
    providerSchema.parse({ id: 'local', type: 'llama-cpp', model_path: modelPath, threads: 1, context_size: 4096 }),
  );
  assert.equal(provider.pid, undefined, 'the child starts on first use');
  [helloInputTokens] = await Promise.all([expectedInputTokens('Answer briefly.', 'Hello, how are you?'), provider.warmUp()]);
});

after(() => provider.close());

function isError(code: FenerError['code'], pattern?: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof FenerError, `expected a FenerError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const collected: ChatStreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

/** The prompt as ChatML renders it, counted by the model's own tokenizer in this process. */
async function expectedInputTokens(system: string, user: string): Promise<number> {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const vocabulary = await llama.loadModel({ modelPath, vocabOnly: true });
  const text = `<|im_start|>system\n${system}<|im_end|>\n<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n`;
  const count = 1 + vocabulary.tokenize(text, true).length; // + the BOS token
  await vocabulary.dispose();
  return count;
}

test('chat generates text through the chat template and counts usage with the model tokenizer', async () => {
  const result = await provider.chat(hello);
  assert.equal(result.model, 'tiny');
  assert.match(result.id, /^chatcmpl-/);
  assert.equal(result.message.role, 'assistant');
  assert.ok(typeof result.message.content === 'string' && result.message.content.length > 0);
  assert.equal(result.finish_reason, 'length');
  assert.deepEqual(result.usage, { input_tokens: helloInputTokens, output_tokens: 12 });
});

test('greedy decoding is deterministic, also across other requests and in parallel', async () => {
  const first = await provider.chat(hello);
  await provider.chat({ ...hello, messages: [{ role: 'user', content: 'Something else entirely' }] });
  const [second, third] = await Promise.all([provider.chat(hello), provider.chat(hello)]);
  assert.equal(second.message.content, first.message.content);
  assert.equal(third.message.content, first.message.content);
});

test('streaming yields response-start, deltas that join to the text, then finish and usage', async () => {
  const events = await collect(provider.chatStream(hello));
  const whole = await provider.chat(hello);
  assert.equal(events[0]?.type, 'response-start');
  assert.deepEqual(events.slice(-2), [
    { type: 'finish', finish_reason: 'length' },
    { type: 'usage', usage: whole.usage },
  ]);
  const deltas = events.slice(1, -2);
  assert.ok(deltas.length > 1 && deltas.every((event) => event.type === 'text-delta'));
  assert.equal(deltas.map((event) => (event.type === 'text-delta' ? event.text : '')).join(''), whole.message.content);
});

test('max_tokens ends with finish "length" and exactly that many output tokens', async () => {
  for (const maxTokens of [1, 7, 33]) {
    const result = await provider.chat({ ...hello, max_tokens: maxTokens });
    assert.equal(result.finish_reason, 'length');
    assert.equal(result.usage?.output_tokens, maxTokens);
  }
});

test('a stop sequence ends the text before it with finish "stop"', async () => {
  const text = (await provider.chat({ ...hello, max_tokens: 30 })).message.content ?? '';
  // Two letters past the start, so that some text comes before the stop.
  const stop = /[a-z]{2}/.exec(text.slice(1))?.[0] ?? '';
  assert.ok(stop !== '' && text.indexOf(stop) > 0, `no usable stop sequence in ${JSON.stringify(text)}`);
  const result = await provider.chat({ ...hello, max_tokens: 30, stop: [stop] });
  assert.equal(result.finish_reason, 'stop');
  assert.equal(result.message.content, text.slice(0, text.indexOf(stop)));
});

test('sampling with a seed is reproducible', async () => {
  const sampled = { ...hello, temperature: 1, top_p: 0.9, seed: 42, max_tokens: 20 };
  const first = await provider.chat(sampled);
  assert.equal((await provider.chat(sampled)).message.content, first.message.content);
});

test('embeddings have the model dimension and are deterministic', async () => {
  const result = await provider.embed({ model: 'tiny', input: ['hello world', 'another text', 'hello world'] });
  assert.equal(result.model, 'tiny');
  assert.equal(result.embeddings.length, 3);
  assert.ok(result.embeddings.every((vector) => vector.length === 64 && vector.every(Number.isFinite)));
  assert.deepEqual(result.embeddings[2], result.embeddings[0]);
  assert.notDeepEqual(result.embeddings[1], result.embeddings[0]);
  assert.ok(result.usage.input_tokens >= 3);
  const again = await provider.embed({ model: 'tiny', input: ['hello world'], dimensions: 64 });
  assert.deepEqual(again.embeddings[0], result.embeddings[0]);
  await assert.rejects(provider.embed({ model: 'tiny', input: ['x'], dimensions: 32 }), isError('invalid_request', /64 dimensions/));
});

test('requests the model cannot serve are refused before any work', async () => {
  const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'get_weather' } }];
  await assert.rejects(provider.chat({ ...hello, tools }), isError('invalid_request', /tools/));
  const tooLong = { ...hello, messages: [{ role: 'user' as const, content: 'x'.repeat(5000) }] };
  await assert.rejects(provider.chat(tooLong), isError('context_length_exceeded', /context holds 4096/));
  await assert.rejects(collect(provider.chatStream(tooLong)), isError('context_length_exceeded'));
});

test('an aborted signal, a timeout or leaving the stream stops a long generation in the child', async () => {
  const controller = new AbortController();
  let deltas = 0;
  await assert.rejects(
    async () => {
      for await (const event of provider.chatStream(long, { signal: controller.signal })) {
        if (event.type === 'text-delta' && ++deltas === 20) controller.abort(new Error('client went away'));
      }
    },
    isError('upstream_error', /cancelled/),
  );
  await assert.rejects(provider.chat(long, { signal: AbortSignal.timeout(200) }), isError('upstream_timeout', /timed out/));
  for await (const event of provider.chatStream(long)) if (event.type === 'text-delta') break;
  // Jobs run one at a time: had the abandoned generations gone on, this would wait for them.
  const started = Date.now();
  await provider.chat({ ...hello, max_tokens: 1 });
  assert.ok(Date.now() - started < 1500, `the child was still busy for ${Date.now() - started} ms`);
});

test('timeoutMs fails the call with upstream_timeout', async () => {
  await assert.rejects(provider.chat(long, { timeoutMs: 200 }), isError('upstream_timeout', /200 ms/));
});

test('a crashed child fails its requests with upstream_unavailable and is replaced', async () => {
  const events = provider.chatStream(long)[Symbol.asyncIterator]();
  assert.equal((await events.next()).value?.type, 'response-start');
  const crashed = provider.pid;
  assert.ok(crashed !== undefined);
  process.kill(crashed, 'SIGKILL');
  await assert.rejects(
    async () => {
      while (!(await events.next()).done);
    },
    isError('upstream_unavailable', /SIGKILL/),
  );
  const result = await provider.chat(hello);
  assert.equal(result.usage?.output_tokens, 12);
  assert.notEqual(provider.pid, crashed);
});

test('close() ends in-flight work and leaves no child process', async () => {
  await provider.chat({ ...hello, max_tokens: 1 });
  const pid = provider.pid;
  assert.ok(pid !== undefined);
  const inFlight = provider.chat(long).then(
    () => undefined,
    (error: unknown) => error,
  );
  await provider.close();
  assert.ok(isError('upstream_unavailable', /closed/)(await inFlight));
  assert.equal(provider.pid, undefined);
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  await assert.rejects(provider.chat(hello), isError('upstream_unavailable', /closed/));
});
