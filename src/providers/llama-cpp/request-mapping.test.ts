import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FenerError } from '../../core/index.js';
import type { ChatRequest } from '../spec.js';
import { toChatJob } from './request-mapping.js';

const base: ChatRequest = { model: 'tiny', messages: [{ role: 'user', content: 'Hi' }] };

function rejects(request: ChatRequest, param: string, pattern: RegExp): void {
  assert.throws(
    () => toChatJob(request),
    (error: unknown) =>
      error instanceof FenerError && error.code === 'invalid_request' && error.param === param && pattern.test(error.message),
  );
}

test('messages become text turns and sampling settings take OpenAI defaults', () => {
  const job = toChatJob({
    ...base,
    messages: [
      { role: 'developer', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      },
      { role: 'assistant', content: null },
      { role: 'user', content: 'three' },
    ],
    max_tokens: 5,
    stop: ['END'],
    seed: 3,
  });
  assert.deepEqual(job.turns, [
    { role: 'system', text: 'Be brief.' },
    { role: 'user', text: 'one\ntwo' },
    { role: 'assistant', text: '' },
    { role: 'user', text: 'three' },
  ]);
  const { maxTokens, temperature, stop, seed, topP } = job.generation;
  assert.deepEqual({ maxTokens, temperature, stop, seed, topP }, { maxTokens: 5, temperature: 1, stop: ['END'], seed: 3, topP: undefined });
});

test('tools are refused unless tool_choice is "none"', () => {
  const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'get_weather' } }];
  rejects({ ...base, tools }, 'tools', /does not support tools/);
  assert.equal(toChatJob({ ...base, tools, tool_choice: 'none' }).turns.length, 1);
  rejects({ ...base, messages: [{ role: 'tool', tool_call_id: 'call_1', content: '{}' }] }, 'messages[0].role', /tool messages/);
  const call = { id: 'call_1', type: 'function' as const, function: { name: 'f', arguments: '{}' } };
  rejects({ ...base, messages: [{ role: 'assistant', content: null, tool_calls: [call] }] }, 'messages[0].tool_calls', /tool calls/);
});

test('images, structured output and out-of-range settings are refused with the field named', () => {
  const image = { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,AA==' } };
  rejects({ ...base, messages: [{ role: 'user', content: [image] }] }, 'messages[0].content', /text content only/);
  rejects({ ...base, response_format: { type: 'json_object' } }, 'response_format', /json_object/);
  rejects({ ...base, temperature: 3 }, 'temperature', /temperature/);
  rejects({ ...base, max_tokens: 0 }, 'max_tokens', /max_tokens/);
  rejects({ ...base, top_p: 0 }, 'top_p', /top_p/);
  rejects({ ...base, stop: [''] }, 'stop', /stop/);
  rejects({ ...base, messages: [] }, 'messages', /empty/);
});
