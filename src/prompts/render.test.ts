/** Rendering and validation rules: typed variables, defaults, missing and extra variables, no re-expansion. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FenerError } from '../core/index.js';
import { renderPrompt } from './render.js';
import { contentSchema, parseContent, type PromptContentInput } from './schema.js';

const template: PromptContentInput = {
  messages: [
    { role: 'system', content: 'You are a {{tone}} assistant. VIP: {{ vip }}.' },
    { role: 'user', content: 'Order {{order}} for {{customer}} ({{count}} items)' },
  ],
  variables: {
    tone: { type: 'string', default: 'friendly' },
    vip: { type: 'boolean', default: false },
    customer: { type: 'string' },
    count: { type: 'number' },
    order: { type: 'json', description: 'the order as JSON' },
  },
  parameters: { model: 'small', temperature: 0.2 },
};

function refused(param: string, pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof FenerError, String(error));
    assert.equal(error.code, 'invalid_request');
    assert.equal(error.param, param);
    assert.match(error.message, pattern);
    return true;
  };
}

test('renders values as text, json as JSON, and uses defaults', () => {
  const content = parseContent(template);
  const rendered = renderPrompt(content, { customer: 'Ada', count: 3, order: { id: 7, items: ['a'] }, vip: true });
  assert.deepEqual(rendered.messages, [
    { role: 'system', content: 'You are a friendly assistant. VIP: true.' },
    { role: 'user', content: 'Order {"id":7,"items":["a"]} for Ada (3 items)' },
  ]);
  assert.deepEqual(rendered.parameters, { model: 'small', temperature: 0.2 });
  assert.deepEqual(rendered.tools, []);
});

test('a value is inserted once and never expanded or evaluated', () => {
  const content = parseContent(template);
  const rendered = renderPrompt(content, { customer: '{{tone}} ${process.exit(1)}', count: 1, order: null });
  assert.equal(rendered.messages[1]?.content, 'Order null for {{tone}} ${process.exit(1)} (1 items)');
});

test('missing, unknown and mistyped variables are refused with the param naming the variable', () => {
  const content = parseContent(template);
  assert.throws(
    () => renderPrompt(content, { count: 1, order: 1 }),
    refused('fener.variables.customer', /missing required variable "customer"/),
  );
  assert.throws(
    () => renderPrompt(content, { customer: 'a', count: 1, order: 1, extra: 'x' }),
    refused('fener.variables.extra', /unknown variable "extra"/),
  );
  assert.throws(
    () => renderPrompt(content, { customer: 'a', count: '1', order: 1 }),
    refused('fener.variables.count', /must be a number, got a string/),
  );
  assert.throws(() => renderPrompt(content, { customer: 'a', count: Number.NaN, order: 1 }), refused('fener.variables.count', /number/));
  assert.throws(() => renderPrompt(content, { customer: 'a', count: 1, order: 1, vip: 'yes' }), refused('fener.variables.vip', /boolean/));
  assert.throws(() => renderPrompt(content, ['x']), refused('fener.variables', /must be an object/));
  assert.throws(() => renderPrompt(content, undefined), refused('fener.variables.customer', /missing/));
  assert.throws(
    () => renderPrompt(content, { customer: 1, count: 1, order: 1 }, { param: 'variables' }),
    refused('variables.customer', /string/),
  );
});

test('a prompt without variables renders with none and refuses any', () => {
  const content = parseContent({ messages: [{ role: 'user', content: 'Hi {not a variable} {{ 1x }}' }] });
  assert.equal(renderPrompt(content, undefined).messages[0]?.content, 'Hi {not a variable} {{ 1x }}');
  assert.throws(() => renderPrompt(content, { a: 1 }), refused('fener.variables.a', /takes no variables/));
});

test('content validation names the field', () => {
  const bad = (input: unknown, param: string, pattern: RegExp): void =>
    assert.throws(
      () => parseContent(input),
      (error: unknown) => {
        assert.ok(error instanceof FenerError);
        assert.equal(error.param, param, error.message);
        assert.match(error.message, pattern);
        return true;
      },
    );
  bad({ messages: [] }, 'messages', /at least one message/);
  bad({ messages: [{ role: 'user', content: 'Hi {{name}}' }] }, 'messages.0.content', /\{\{name\}\}.*not declared/);
  bad({ messages: [{ role: 'robot', content: 'x' }] }, 'messages.0.role', /./);
  bad(
    { messages: [{ role: 'user', content: 'x' }], variables: { n: { type: 'number', default: 'five' } } },
    'variables.n.default',
    /must be a number/,
  );
  bad({ messages: [{ role: 'user', content: 'x' }], variables: { n: { type: 'date' } } }, 'variables.n.type', /./);
  bad(
    { messages: [{ role: 'user', content: 'x' }], variables: { n: { type: 'string', required: false } } },
    'variables.n.default',
    /needs a default/,
  );
  bad({ messages: [{ role: 'user', content: 'x' }], variables: { 'bad-name': { type: 'string' } } }, 'variables.bad-name', /letters/);
  bad({ messages: [{ role: 'user', content: 'x' }], parameters: { temprature: 1 } }, 'parameters', /temprature/);
  bad({ messages: [{ role: 'user', content: 'x' }], parameters: { temperature: 5 } }, 'parameters.temperature', /./);
  bad({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: {} }] }, 'tools.0.function.name', /./);
});

test('variables are normalised: required unless a default is given', () => {
  const parsed = contentSchema.parse({
    messages: [{ role: 'user', content: '{{a}}{{b}}' }],
    variables: { a: { type: 'string', required: true }, b: { type: 'json', default: { x: 1 } } },
  });
  assert.deepEqual(parsed.variables, { a: { type: 'string', required: true }, b: { type: 'json', required: false, default: { x: 1 } } });
});
