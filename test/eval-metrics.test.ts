/**
 * Evaluation metrics end to end: `POST /api/evals/metrics` on a running server (any valid key,
 * zod-checked body, errors naming the field, OpenAPI entry) and `fener eval metric` on files.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './support/fener.js';
import { runCli } from './support/cli.js';
import { metricNames } from '../src/evals/index.js';

interface MetricResponse {
  metric: string;
  corpus: Record<string, number>;
  items: Array<Record<string, number>>;
  signature?: string;
  error?: { code: string; message: string; param?: string };
}

// sacrebleu test/test_bleu.py: the README example, corpus BLEU 48.530827 with two reference streams.
const hypotheses = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
const referencesA = ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'];
const referencesB = ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'];

describe('POST /api/evals/metrics', () => {
  let server: TestServer;
  let key: string;
  before(async () => {
    server = await startTestServer();
    key = await server.createKey('metrics');
  });
  after(() => server.stop());

  async function post(body: unknown, authorization: string | null = `Bearer ${key}`): Promise<{ status: number; body: MetricResponse }> {
    const response = await fetch(`${server.url}/api/evals/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization === null ? {} : { authorization }) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as MetricResponse };
  }

  test('GET lists the metrics with their option names, and which an experiment may use (any valid key)', async () => {
    const response = await fetch(`${server.url}/api/evals/metrics`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(response.status, 200);
    const { data } = (await response.json()) as {
      data: { name: string; options: string[]; references_optional: boolean; experiments: boolean }[];
    };
    assert.deepEqual(
      data.map((metric) => metric.name),
      [...metricNames],
    );
    const byName = new Map(data.map((metric) => [metric.name, metric]));
    assert.deepEqual(byName.get('rouge'), {
      name: 'rouge',
      options: ['rouge_types', 'use_stemmer', 'split_summaries'],
      references_optional: false,
      experiments: true,
    });
    assert.deepEqual(byName.get('regex'), { name: 'regex', options: ['pattern', 'flags'], references_optional: true, experiments: true });
    assert.deepEqual(
      data.filter((metric) => !metric.experiments).map((metric) => metric.name),
      ['embedding_cosine', 'latency', 'cost'],
    );
    assert.equal((await fetch(`${server.url}/api/evals/metrics`)).status, 401);
  });

  test('a project key scores corpus BLEU with per-item sentence scores and the signature', async () => {
    const references = hypotheses.map((_, index) => [referencesA[index] ?? '', referencesB[index] ?? '']);
    const { status, body } = await post({ metric: 'bleu', predictions: hypotheses, references });
    assert.equal(status, 200);
    assert.ok(Math.abs((body.corpus.score ?? NaN) - 48.530827) < 1e-6);
    assert.equal(body.items.length, 3);
    assert.equal(body.signature, 'nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.3');
  });

  test('ROUGE with the stemmer and chosen types', async () => {
    const { status, body } = await post({
      metric: 'rouge',
      predictions: ['testing one'],
      references: [['testing one two']],
      options: { rouge_types: ['rouge1', 'rougeL'], use_stemmer: true },
    });
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body.corpus), [
      'rouge1_precision',
      'rouge1_recall',
      'rouge1_fmeasure',
      'rougeL_precision',
      'rougeL_recall',
      'rougeL_fmeasure',
    ]);
    assert.ok(Math.abs((body.corpus.rouge1_fmeasure ?? NaN) - 0.8) < 1e-12);
  });

  test('bad requests are 400 with the field named; no key is 401', async () => {
    const unknownOption = await post({ metric: 'bleu', predictions: ['a'], references: [['a']], options: { tokenise: 'intl' } });
    assert.equal(unknownOption.status, 400);
    assert.equal(unknownOption.body.error?.param, 'options.tokenise');
    assert.match(unknownOption.body.error?.message ?? '', /unknown option 'tokenise'/);
    const mismatched = await post({ metric: 'chrf', predictions: ['a', 'b'], references: [['a']] });
    assert.equal(mismatched.status, 400);
    assert.match(mismatched.body.error?.message ?? '', /got 2 predictions but 1 reference lists/);
    const notStrings = await post({ metric: 'bleu', predictions: [1], references: [['a']] });
    assert.equal(notStrings.status, 400);
    assert.equal(notStrings.body.error?.param, 'predictions.0');
    const unknownMetric = await post({ metric: 'meteor', predictions: ['a'], references: [['a']] });
    assert.equal(unknownMetric.status, 400);
    assert.equal(unknownMetric.body.error?.param, 'metric');
    const anonymous = await post({ metric: 'bleu', predictions: ['a'], references: [['a']] }, null);
    assert.equal(anonymous.status, 401);
  });

  test('the OpenAPI document describes the route', async () => {
    const document = (await fetch(`${server.url}/api/openapi.json`).then((response) => response.json())) as {
      paths: Record<string, Record<string, { security?: unknown; requestBody?: unknown }>>;
    };
    const operation = document.paths['/api/evals/metrics']?.post;
    assert.ok(operation?.requestBody);
    assert.deepEqual(operation.security, [{ bearer: [] }]);
  });
});

describe('fener eval metric', () => {
  let directory: string;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'fener-metric-'));
    writeFileSync(join(directory, 'predictions.txt'), `${hypotheses.join('\n')}\n`);
    writeFileSync(join(directory, 'references-a.txt'), `${referencesA.join('\n')}\n`);
    writeFileSync(join(directory, 'references-b.txt'), referencesB.join('\r\n'));
    writeFileSync(join(directory, 'short.txt'), 'only one line\n');
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  const file = (name: string): string => join(directory, name);

  test('BLEU from two reference files, as JSON', async () => {
    const result = await runCli([
      'eval',
      'metric',
      '--metric',
      'bleu',
      '--predictions',
      file('predictions.txt'),
      '--references',
      file('references-a.txt'),
      '--references',
      file('references-b.txt'),
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const body = JSON.parse(result.stdout) as MetricResponse;
    assert.ok(Math.abs((body.corpus.score ?? NaN) - 48.530827) < 1e-6);
    assert.equal(body.items.length, 3);
  });

  test('options on the command line, and a readable table', async () => {
    const result = await runCli([
      'eval',
      'metric',
      '--metric',
      'bleu',
      '--predictions',
      file('predictions.txt'),
      '--references',
      file('references-a.txt'),
      '--references',
      file('references-b.txt'),
      '--option',
      'tokenize=intl',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /signature: nrefs:2\|case:mixed\|eff:no\|tok:intl\|smooth:exp\|version:2\.4\.3/);
    assert.match(result.stdout, /score\s+43\.916235/);
  });

  test('mismatched files and unknown options fail with a clear message', async () => {
    const short = await runCli([
      'eval',
      'metric',
      '--metric',
      'rouge',
      '--predictions',
      file('predictions.txt'),
      '--references',
      file('short.txt'),
    ]);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /short\.txt has 1 items but the predictions file has 3/);
    const option = await runCli([
      'eval',
      'metric',
      '--metric',
      'chrf',
      '--predictions',
      file('predictions.txt'),
      '--references',
      file('references-a.txt'),
      '--option',
      'order=3',
    ]);
    assert.equal(option.code, 1);
    assert.match(option.stderr, /unknown option 'order' for metric chrf/);
  });
});
