/** Unit tests: hashing, splits, MinHash/LSH, JSONL and CSV parsing with bad lines. */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { FenerError } from '../core/index.js';
import { parseCsv } from './csv.js';
import { prepareItem } from './item.js';
import { limitBytes, parseJsonl } from './jsonl.js';
import { collisionProbability, estimateJaccard, MinHasher, NearDuplicateIndex, defaultMinHashParams } from './minhash.js';
import { assignSplit } from './splits.js';
import { validatePipeline } from './pipeline.js';

const source = (text: string): Readable => Readable.from([Buffer.from(text)]);
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('item hashing', () => {
  test('equal content hashes equally whatever the key order; other content does not', () => {
    const a = prepareItem('x', { input: { messages: [{ role: 'user', content: 'hi' }] }, expected: 'yo', metadata: { a: 1, b: 2 } });
    const b = prepareItem('y', { metadata: { b: 2, a: 1 }, expected: 'yo', input: { messages: [{ content: 'hi', role: 'user' }] } });
    const c = prepareItem('x', { input: { messages: [{ role: 'user', content: 'hi!' }] }, expected: 'yo' });
    assert.equal(a.contentHash, b.contentHash);
    assert.notEqual(a.contentHash, c.contentHash);
    assert.match(a.contentHash, /^sha256:[0-9a-f]{64}$/);
  });
});

describe('splits', () => {
  const params = { seed: 7, train: 0.8, validation: 0.1, test: 0.1 };
  test('stable per id, independent of other items, close to the ratios', () => {
    const ids = Array.from({ length: 20_000 }, (_, index) => `item-${index}`);
    const first = ids.map((id) => assignSplit(params, id));
    assert.deepEqual(
      ids.slice(5000).map((id) => assignSplit(params, id)),
      first.slice(5000),
    );
    const share = (split: string): number => first.filter((value) => value === split).length / ids.length;
    assert.ok(Math.abs(share('train') - 0.8) < 0.02, `train ${share('train')}`);
    assert.ok(Math.abs(share('test') - 0.1) < 0.02, `test ${share('test')}`);
    const other = ids.map((id) => assignSplit({ ...params, seed: 8 }, id));
    assert.ok(
      other.some((value, index) => value !== first[index]),
      'another seed gives another split',
    );
  });
  test('ratios that do not add up are refused', () => {
    assert.throws(() => validatePipeline({ steps: [{ step: 'split', seed: 1, train: 0.5, validation: 0.1, test: 0.1 }] }), FenerError);
  });
});

describe('MinHash / LSH', () => {
  const words = Array.from({ length: 60 }, (_, index) => `word${index}`);
  test('signature agreement estimates Jaccard similarity; seeded', () => {
    const hasher = new MinHasher({ ...defaultMinHashParams, bands: 32, rows: 8, size: 1 });
    const a = hasher.signature(words.slice(0, 40).join(' '))!;
    const b = hasher.signature(words.slice(10, 50).join(' '))!; // Jaccard 30/50 = 0.6
    assert.ok(Math.abs(estimateJaccard(a, b) - 0.6) < 0.12, `estimate ${estimateJaccard(a, b)}`);
    assert.deepEqual(
      new MinHasher({ ...defaultMinHashParams, bands: 32, rows: 8, size: 1 }).signature(words.join(' ')),
      hasher.signature(words.join(' ')),
    );
    assert.equal(hasher.signature('  '), undefined);
  });
  test('near duplicates are caught, unrelated texts are not', () => {
    const index = new NearDuplicateIndex(defaultMinHashParams, 100);
    const text = words.join(' ');
    assert.equal(index.isDuplicate(text), false);
    assert.equal(index.isDuplicate(text.replace('word30', 'other')), true);
    assert.equal(index.isDuplicate(Array.from({ length: 60 }, (_, i) => `zz${i}`).join(' ')), false);
  });
  test('the documented S-curve', () => {
    assert.ok(Math.abs(collisionProbability(0.9, defaultMinHashParams) - 0.989) < 0.001);
    assert.ok(Math.abs(collisionProbability(0.5, defaultMinHashParams) - 0.031) < 0.001);
  });
});

describe('JSONL and CSV parsing', () => {
  test('JSONL: bad lines are reported with their numbers and reasons; blank lines skipped', async () => {
    const text = [
      '{"messages":[{"role":"user","content":"a"}]}',
      '{oops',
      '',
      '{"messages":[{"role":"robot","content":"a"}]}',
      '{"expected":"x"}',
      '[1]',
      '{"input":{"messages":[{"role":"user","content":"b"}]},"extra":1}',
    ].join('\n');
    const lines = await collect(parseJsonl(source(text)));
    assert.deepEqual(
      lines.map((line) => [line.line, line.result.ok]),
      [
        [1, true],
        [2, false],
        [4, false],
        [5, false],
        [6, false],
        [7, false],
      ],
    );
    const reasons = lines.filter((line) => !line.result.ok).map((line) => (line.result.ok ? '' : line.result.reason));
    assert.match(reasons[0]!, /malformed JSON/);
    assert.match(reasons[1]!, /input/);
    assert.match(reasons[2]!, /missing input/);
    assert.match(reasons[3]!, /expected a JSON object/);
    assert.match(reasons[4]!, /unknown field "extra"/);
  });
  test('JSONL: a line over the limit is rejected without being kept; the upload limit stops the stream', async () => {
    const long = `{"messages":[{"role":"user","content":"${'x'.repeat(200)}"}]}`;
    const lines = await collect(
      parseJsonl(source(`${long}\n{"messages":[{"role":"user","content":"ok"}]}\n`), { maxBytes: 10_000, maxLineBytes: 100 }),
    );
    assert.deepEqual(
      lines.map((line) => [line.line, line.result.ok]),
      [
        [1, false],
        [2, true],
      ],
    );
    await assert.rejects(
      collect(limitBytes(source('x'.repeat(1000)), 999)),
      (error: unknown) => error instanceof FenerError && error.code === 'payload_too_large',
    );
  });
  test('CSV: columns map to items; short rows and bad JSON cells are reported; a missing input column stops at line 1', async () => {
    const text = 'id,system,input,expected,meta.lang\na,Be brief,Hello,Hi,en\nb,,Bonjour\nc,,"multi\nline",x,fr\n';
    const lines = await collect(parseCsv(source(text)));
    assert.deepEqual(
      lines.map((line) => [line.line, line.result.ok]),
      [
        [2, true],
        [3, false],
        [5, true],
      ],
    );
    const first = lines[0]!.result;
    assert.ok(first.ok);
    assert.deepEqual(first.item.content, {
      input: {
        messages: [
          { role: 'system', content: 'Be brief' },
          { role: 'user', content: 'Hello' },
        ],
      },
      expected: 'Hi',
      metadata: { lang: 'en' },
    });
    assert.match(lines[1]!.result.ok ? '' : lines[1]!.result.reason, /missing column "expected", "meta.lang"/);
    const badJson = await collect(parseCsv(source('messages\n"[{""role"":""user""}"\n')));
    assert.match(badJson[0]!.result.ok ? '' : badJson[0]!.result.reason, /messages: not valid JSON/);
    await assert.rejects(collect(parseCsv(source('id,expected\na,b\n'))), /line 1: missing required column/);
    await assert.rejects(collect(parseCsv(source('id,inptu\na,b\n'))), /unknown column "inptu"/);
  });
});
