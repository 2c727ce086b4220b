import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatRequest } from '../../providers/index.js';
import { canonicalJson } from './canonical-json.js';
import { lastUserText, responseKeyHash, semanticScopeHash, type CacheKeyInput } from './cache-key.js';

const base: ChatRequest = {
  model: 'alias',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is the boiling point of water at sea level?' },
  ],
  temperature: 0,
};

function key(request: ChatRequest, overrides: Partial<Omit<CacheKeyInput, 'request'>> = {}): string {
  return responseKeyHash({ request, model: 'gpt-4o-mini', projectId: 'prj_a', ...overrides });
}

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: 'x' } }), '{"a":{"c":"x","d":[2,1]},"b":1}');
  });

  it('drops undefined members like JSON.stringify', () => {
    assert.equal(canonicalJson({ a: undefined, b: null }), '{"b":null}');
    assert.equal(canonicalJson([undefined, 1]), '[null,1]');
  });
});

describe('response cache key', () => {
  it('is a hex SHA-256', () => {
    assert.match(key(base), /^[0-9a-f]{64}$/);
  });

  it('does not depend on the order in which the client wrote the keys', () => {
    const reordered: ChatRequest = {
      temperature: 0,
      messages: [
        { content: 'You are terse.', role: 'system' },
        { content: 'What is the boiling point of water at sea level?', role: 'user' },
      ],
      model: 'alias',
    };
    assert.equal(key(reordered), key(base));
    const withTools = (order: 'ab' | 'ba'): ChatRequest => ({
      ...base,
      tools: [
        {
          type: 'function',
          function:
            order === 'ab'
              ? { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } } } }
              : { parameters: { properties: { b: { type: 'number' }, a: { type: 'string' } }, type: 'object' }, name: 'f' },
        },
      ],
    });
    assert.equal(key(withTools('ab')), key(withTools('ba')));
  });

  it('ignores the client alias, the user field and the fener control block', () => {
    assert.equal(key({ ...base, model: 'other-alias' }), key(base));
    assert.equal(key({ ...base, user: 'end-user-7' }), key(base));
    assert.equal(key({ ...base, extra: { fener: { cache: true } } }), key(base));
  });

  it('changes with every parameter that can change the answer', () => {
    const variants: ChatRequest[] = [
      { ...base, messages: [...base.messages, { role: 'assistant', content: '100 °C' }, { role: 'user', content: 'In F?' }] },
      { ...base, messages: [base.messages[0]!, { role: 'user', content: 'What is the boiling point of water at altitude?' }] },
      { ...base, messages: [{ role: 'system', content: 'You are verbose.' }, base.messages[1]!] },
      {
        ...base,
        messages: [base.messages[0]!, { role: 'user', content: 'What is the boiling point of water at sea level?', name: 'bob' }],
      },
      { ...base, tools: [{ type: 'function', function: { name: 'lookup' } }] },
      { ...base, tools: [{ type: 'function', function: { name: 'lookup' } }], tool_choice: 'required' },
      { ...base, parallel_tool_calls: false },
      { ...base, response_format: { type: 'json_object' } },
      { ...base, temperature: 0.2 },
      { ...base, top_p: 0.5 },
      { ...base, max_tokens: 10 },
      { ...base, stop: ['\n'] },
      { ...base, seed: 7 },
      { ...base, presence_penalty: 0.5 },
      { ...base, frequency_penalty: 0.5 },
      { ...base, extra: { logit_bias: { '50256': -100 } } },
      { ...base, extra: { fener: { cache: true }, reasoning_effort: 'high' } },
    ];
    const keys = new Set([key(base), ...variants.map((variant) => key(variant))]);
    assert.equal(keys.size, variants.length + 1, 'every variant has its own key');
  });

  it('changes with the resolved model and never matches across projects', () => {
    assert.notEqual(key(base, { model: 'gpt-4o' }), key(base));
    assert.notEqual(key(base, { projectId: 'prj_b' }), key(base));
  });

  it('does not collide with the semantic scope of the same request', () => {
    assert.notEqual(semanticScopeHash({ request: base, model: 'gpt-4o-mini', projectId: 'prj_a' }), key(base));
  });
});

describe('semantic scope', () => {
  const scope = (request: ChatRequest, projectId = 'prj_a'): string => semanticScopeHash({ request, model: 'm', projectId });
  const ask = (question: string, prefix = base.messages.slice(0, 1)): ChatRequest => ({
    ...base,
    messages: [...prefix, { role: 'user', content: question }],
  });

  it('is the same for different last questions after the same conversation', () => {
    assert.equal(scope(ask('How hot does water boil?')), scope(ask('At what temperature does water boil?')));
  });

  it('differs by conversation prefix, tool set, response format, parameters and project', () => {
    const question = 'How hot does water boil?';
    const reference = scope(ask(question));
    assert.notEqual(scope(ask(question, [{ role: 'system', content: 'Answer in French.' }])), reference);
    assert.notEqual(scope({ ...ask(question), tools: [{ type: 'function', function: { name: 'thermometer' } }] }), reference);
    assert.notEqual(scope({ ...ask(question), response_format: { type: 'json_object' } }), reference);
    assert.notEqual(scope({ ...ask(question), max_tokens: 5 }), reference);
    assert.notEqual(scope(ask(question), 'prj_b'), reference);
  });

  it('embeds only a last user message made of text', () => {
    assert.equal(lastUserText(base.messages), 'What is the boiling point of water at sea level?');
    assert.equal(
      lastUserText([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
      ]),
      'a\nb',
    );
    assert.equal(lastUserText([...base.messages, { role: 'tool', tool_call_id: 'call_1', content: '{"t":100}' }]), undefined);
    assert.equal(lastUserText([...base.messages, { role: 'assistant', content: 'Hm.' }]), undefined);
    assert.equal(
      lastUserText([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
      ]),
      undefined,
    );
  });
});
