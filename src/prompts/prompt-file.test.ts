/** Prompt files: YAML and Markdown with front matter, parsed, validated and written back exactly. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FenerError } from '../core/index.js';
import { diffLines, diffPrompts, formatDiff } from './diff.js';
import { formatPromptFile, parsePromptFile } from './prompt-file.js';
import { parseContent } from './schema.js';

const markdown = `---
name: support-reply
labels: [production]
variables:
  customer: { type: string }
  tone: { type: string, default: friendly }
parameters:
  model: small
  temperature: 0.3
tools:
  - type: function
    function: { name: lookup_order, parameters: { type: object } }
---

## system

You are a {{tone}} support agent.

Keep answers short.

## user

Hello, I am {{customer}}.
`;

test('Markdown: front matter fields, ## role sections as messages', () => {
  const parsed = parsePromptFile(markdown, 'markdown', 'support.md');
  assert.equal(parsed.name, 'support-reply');
  assert.deepEqual(parsed.labels, ['production']);
  assert.deepEqual(parsed.messages, [
    { role: 'system', content: 'You are a {{tone}} support agent.\n\nKeep answers short.' },
    { role: 'user', content: 'Hello, I am {{customer}}.' },
  ]);
  assert.deepEqual(parsed.variables.tone, { type: 'string', required: false, default: 'friendly' });
  assert.equal(parsed.tools[0]?.function.name, 'lookup_order');
});

test('writing then reading gives back the same content, in both formats, edge whitespace included', () => {
  const parsed = parsePromptFile(markdown, 'markdown', 'support.md');
  const { name, labels, ...content } = parsed;
  const tricky = { ...content, messages: [...content.messages, { role: 'assistant' as const, content: '\n  indented\ntrailing\n\n' }] };
  for (const format of ['markdown', 'yaml'] as const) {
    const text = formatPromptFile({ name, labels: labels ?? [], content: tricky }, format);
    const again = parsePromptFile(text, format, `again.${format}`);
    assert.deepEqual(again, { ...tricky, name, labels }, format);
  }
  const body = (text: string): string => text.slice(text.indexOf('\n---\n'));
  assert.equal(
    body(formatPromptFile({ name, labels: labels ?? [], content }, 'markdown')),
    body(markdown),
    'the body is written back byte for byte',
  );
});

test('bad files are refused with the file and the field named', () => {
  const refused = (text: string, format: 'markdown' | 'yaml', pattern: RegExp): void =>
    assert.throws(
      () => parsePromptFile(text, format, 'p.md'),
      (error: unknown) => error instanceof FenerError && pattern.test(error.message),
    );
  refused('## user\n\nHi\n', 'markdown', /p\.md: a Markdown prompt starts with YAML front matter/);
  refused('---\nname: x\n', 'markdown', /not closed/);
  refused('---\nname: x\n---\nstray text\n## user\n\nHi\n', 'markdown', /line 1: text before the first/);
  refused('---\nname: x\n---\n\n## user\n\nHi {{who}}\n', 'markdown', /p\.md: messages\.0\.content: uses \{\{who\}\}/);
  refused('---\nname: bad name\n---\n\n## user\n\nHi\n', 'markdown', /p\.md: name:/);
  refused('name: x\nmessages: [{role: user, content: 1}]\n', 'yaml', /messages\.0\.content/);
  refused('name: [unclosed\n', 'yaml', /not valid YAML/);
  refused('---\nname: x\nmessages: []\n---\n\n## user\n\nHi\n', 'markdown', /messages go in the body/);
});

test('Markdown refuses a message holding a "## role" line; YAML holds it', () => {
  const content = parseContent({ messages: [{ role: 'user', content: 'a\n## system\nb' }] });
  assert.throws(() => formatPromptFile({ name: 'x', labels: [], content }, 'markdown'), /write a \.yaml file/);
  const yaml = formatPromptFile({ name: 'x', labels: [], content }, 'yaml');
  assert.equal(parsePromptFile(yaml, 'yaml', 'x.yaml').messages[0]?.content, 'a\n## system\nb');
});

test('line diff is minimal and sections show what changed', () => {
  assert.deepEqual(diffLines(['a', 'b', 'c'], ['a', 'x', 'c', 'd']), [
    { op: 'equal', text: 'a' },
    { op: 'remove', text: 'b' },
    { op: 'add', text: 'x' },
    { op: 'equal', text: 'c' },
    { op: 'add', text: 'd' },
  ]);
  assert.deepEqual(diffLines([], []), []);
  const from = parseContent({ messages: [{ role: 'user', content: 'Hi\nthere' }], parameters: { model: 'small', temperature: 0.2 } });
  const to = parseContent({ messages: [{ role: 'user', content: 'Hello\nthere' }], parameters: { model: 'small', temperature: 0.7 } });
  const diff = diffPrompts(from, to);
  assert.equal(diff.identical, false);
  assert.deepEqual(
    diff.sections.messages.filter((line) => line.op !== 'equal'),
    [
      { op: 'remove', text: 'Hi' },
      { op: 'add', text: 'Hello' },
    ],
  );
  assert.deepEqual(
    diff.sections.parameters.filter((line) => line.op !== 'equal'),
    [
      { op: 'remove', text: 'temperature: 0.2' },
      { op: 'add', text: 'temperature: 0.7' },
    ],
  );
  const text = formatDiff(diff, '--- a\n+++ b');
  assert.match(text, /@@ messages\n ## user\n \n-Hi\n\+Hello\n there/);
  assert.doesNotMatch(text, /@@ tools/);
  assert.equal(diffPrompts(from, from).identical, true);
});
