/**
 * Datasets through the HTTP API, end to end on a real server: JSONL and CSV imports as versions
 * (rejected lines reported by number; `keep_valid`), exports compared byte for byte with what went
 * in, the upload limit (413, nothing half-written), a version diff, and the refusals a client meets
 * (unknown dataset, malformed file, wrong content type). Preparation, splits, fine-tuning exports
 * and embeddings are in datasets-pipeline.test.ts; the CLI in datasets-cli.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from './support/fener.js';
import { chunkedUpload, datasetApi, exportLine, seedJsonl, seedRecords, type ApiError } from './support/datasets.js';

interface BuildReport {
  version: number | null;
  created: boolean;
  content_hash: string | null;
  item_count: number;
  accepted: number;
  rejected: number;
  rejected_lines: { line: number; reason: string }[];
}
interface DatasetShow {
  latest_version: number;
  pending_versions: number;
  versions: { version: number; parent_version: number | null; step: string; item_count: number; content_hash: string }[];
}

function assertEmpty(dataset: DatasetShow): void {
  assert.deepEqual([dataset.latest_version, dataset.pending_versions, dataset.versions.length], [0, 0, 0], 'no version, none pending');
}

/** Small enough to pass in a test, large enough that a refused chunked upload has written a batch first. */
const uploadLimit = 128 * 1024;

describe('datasets through the API', () => {
  let server: TestServer;
  const api = <T>(method: string, path: string, options?: { body?: unknown; contentType?: string }) =>
    datasetApi<T>(server, method, path, options);
  const create = async (name: string): Promise<void> => {
    const created = await api('POST', '/api/datasets', { body: { name } });
    assert.equal(created.status, 201, created.text);
  };
  const show = async (name: string): Promise<DatasetShow> => {
    const answer = await api<DatasetShow>('GET', `/api/datasets/${name}`);
    assert.equal(answer.status, 200, answer.text);
    return answer.body;
  };

  before(async () => {
    server = await startTestServer({ server: { port: 0, upload_limit_bytes: uploadLimit } });
  });
  after(async () => {
    await server.stop();
  });

  test('JSONL in, JSONL and CSV out byte for byte, and the CSV back in is the same version', async () => {
    await create('qa');
    const imported = await api<BuildReport>('POST', '/api/datasets/qa/import?filename=qa.jsonl', { body: seedJsonl });
    assert.equal(imported.status, 201, imported.text);
    assert.deepEqual([imported.body.version, imported.body.created, imported.body.item_count], [1, true, seedRecords.length]);

    const jsonl = await api<string>('GET', '/api/datasets/qa/versions/1/export?format=jsonl');
    assert.equal(jsonl.status, 200);
    assert.match(jsonl.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    assert.equal(jsonl.text, seedJsonl, 'the export is the file that went in');

    const csv = await api<string>('GET', '/api/datasets/qa/versions/latest/export?format=csv');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-disposition') ?? '', /filename="qa-v1-csv\.csv"/);
    assert.match(csv.text, /^id,split,messages,variables,expected,expected_json,rejected,rejected_json,metadata\n/);
    assert.ok(
      csv.text.includes('\nq3,,,"{""city"":""Oslo""}",,"{""answer"":""Norway""}",,,\n'),
      'structured output as JSON in expected_json',
    );
    assert.ok(
      csv.text.includes('\nq5,,"[{""content"":""Say no"",""role"":""user""}]",,"Sure, here it is.",,No.,,\n'),
      'a comma quotes its cell',
    );
    assert.ok(csv.text.includes('""Line one, \\""quoted\\"",\\nline two: Grüße 👋""'), 'quotes doubled inside the JSON cell');

    await create('qa-csv');
    const fromCsv = await api<BuildReport>('POST', '/api/datasets/qa-csv/import', { body: csv.text, contentType: 'text/csv' });
    assert.equal(fromCsv.status, 201, fromCsv.text);
    assert.equal(fromCsv.body.content_hash, imported.body.content_hash, 'CSV carried every item exactly');
    assert.equal((await api('GET', '/api/datasets/qa-csv/versions/1/export?format=csv')).text, csv.text);
    assert.equal((await api('GET', '/api/datasets/qa-csv/versions/1/export')).text, seedJsonl);

    const again = await api<BuildReport>('POST', '/api/datasets/qa/import', { body: csv.text, contentType: 'text/csv' });
    assert.deepEqual([again.status, again.body.version, again.body.created], [201, 1, false], 'identical content is the same version');
    const versions = (await show('qa')).versions;
    assert.equal(versions.length, 1);
    assert.equal(versions[0]!.step, 'import');
  });

  test('a malformed JSONL line is a 400 naming its line, nothing written; keep_valid keeps the rest', async () => {
    await create('rough');
    const file = [
      exportLine(seedRecords[0]!),
      exportLine(seedRecords[1]!),
      '\n',
      '{broken\n',
      '{"id":"x5","expected":"no input"}\n',
      exportLine(seedRecords[3]!),
    ].join('');
    const refused = await api<ApiError>('POST', '/api/datasets/rough/import', { body: file });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.body.error.code, 'invalid_request');
    assert.match(refused.body.error.message, /2 record\(s\) rejected, nothing written/);
    assert.match(refused.body.error.message, /line 4: malformed JSON/, 'blank lines count');
    assert.match(refused.body.error.message, /line 5: missing input/);
    assertEmpty(await show('rough'));

    const kept = await api<BuildReport>('POST', '/api/datasets/rough/import?keep_valid=true', { body: file });
    assert.equal(kept.status, 201, kept.text);
    assert.deepEqual([kept.body.version, kept.body.item_count, kept.body.accepted, kept.body.rejected], [1, 3, 3, 2]);
    assert.deepEqual(
      kept.body.rejected_lines.map((entry) => entry.line),
      [4, 5],
    );
    const exported = await api('GET', '/api/datasets/rough/versions/1/export');
    assert.equal(exported.text, [seedRecords[0]!, seedRecords[1]!, seedRecords[3]!].map(exportLine).join(''));
  });

  test('a CSV row that fails is reported by its line; keep_valid keeps the others with their splits', async () => {
    await create('rows');
    const file = 'id,input,expected,split\nr1,"Hi, there",Hello,train\nr2,Bye,See you,holdout\nr3,Thanks,You are welcome,test\n';
    const refused = await api<ApiError>('POST', '/api/datasets/rows/import', { body: file, contentType: 'text/csv' });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /line 3: split/);
    const kept = await api<BuildReport>('POST', '/api/datasets/rows/import?keep_valid=true', { body: file, contentType: 'text/csv' });
    assert.equal(kept.status, 201, kept.text);
    assert.deepEqual(
      kept.body.rejected_lines.map((entry) => entry.line),
      [3],
    );
    const items = await api<{ data: { id: string; split: string | null; input: unknown; expected: unknown }[] }>(
      'GET',
      '/api/datasets/rows/versions/1/items',
    );
    assert.deepEqual(
      items.body.data.map((item) => [item.id, item.split, item.expected]),
      [
        ['r1', 'train', 'Hello'],
        ['r3', 'test', 'You are welcome'],
      ],
    );
    assert.deepEqual(items.body.data[0]!.input, { messages: [{ role: 'user', content: 'Hi, there' }] });
  });

  test('an upload over the limit is a 413, by Content-Length or mid-stream, and leaves nothing behind', async () => {
    await create('big');
    const line = (index: number): string =>
      exportLine({ id: `c${String(index).padStart(5, '0')}`, input: { messages: [{ content: 'x', role: 'user' }] } });
    const lines = Array.from({ length: 3000 }, (_, index) => line(index));
    const whole = lines.join('');
    assert.ok(whole.length > uploadLimit && lines.slice(0, 1000).join('').length < uploadLimit, 'a full batch fits under the limit');

    const declared = await api<ApiError>('POST', '/api/datasets/big/import', { body: whole });
    assert.equal(declared.status, 413, declared.text);
    assert.equal(declared.body.error.code, 'payload_too_large');
    assert.match(declared.body.error.message, /larger than the limit of 128 KiB|131072 bytes/);

    const streamed = await chunkedUpload(server, '/api/datasets/big/import?keep_valid=true', lines);
    assert.equal(streamed.status, 413, streamed.body);
    assert.equal((JSON.parse(streamed.body) as ApiError).error.code, 'payload_too_large');
    const dataset = await server.context.store.datasets.require('big');
    assertEmpty(await show('big'));
    assert.equal(await server.context.store.datasets.storedBodies(dataset.id), 0, 'the batch written before the limit was removed');

    const under = await api<BuildReport>('POST', '/api/datasets/big/import', { body: lines.slice(0, 1500).join('') });
    assert.deepEqual([under.status, under.body.item_count], [201, 1500], 'the same server takes an upload under the limit');
  });

  test('a diff between two versions: counts, then the ids of one kind', async () => {
    const changed = seedRecords.map((record) => (record.id === 'q1' ? { ...record, expected: 'Hello there!' } : record));
    const next = [...changed.filter((record) => record.id !== 'q2'), { id: 'q8', input: { messages: [{ content: 'New', role: 'user' }] } }];
    const imported = await api<BuildReport>('POST', '/api/datasets/qa/import', { body: next.map(exportLine).join('') });
    assert.equal(imported.body.version, 2, imported.text);
    const counts = await api<{ from: number; to: number; counts: Record<string, number> }>('GET', '/api/datasets/qa/diff?from=1&to=latest');
    assert.equal(counts.status, 200, counts.text);
    assert.deepEqual(counts.body, { from: 1, to: 2, counts: { added: 1, removed: 1, changed: 1, unchanged: 5 } });
    for (const [kind, id] of [
      ['added', 'q8'],
      ['removed', 'q2'],
      ['changed', 'q1'],
    ] as const) {
      const listed = await api<{ items: { id: string; from_hash: string | null; to_hash: string | null }[] }>(
        'GET',
        `/api/datasets/qa/diff?from=1&to=2&kind=${kind}`,
      );
      assert.deepEqual(
        listed.body.items.map((item) => item.id),
        [id],
        kind,
      );
      const entry = listed.body.items[0]!;
      assert.equal(entry.from_hash === null, kind === 'added');
      assert.equal(entry.to_hash === null, kind === 'removed');
    }
  });

  test('refusals: unknown dataset 404, wrong content type 415, a bad version or query 400', async () => {
    const missing = await api<ApiError>('POST', '/api/datasets/nope/import', { body: seedJsonl });
    assert.deepEqual([missing.status, missing.body.error.code], [404, 'not_found']);
    assert.equal((await api('GET', '/api/datasets/nope')).status, 404);
    assert.equal((await api('GET', '/api/datasets/nope/versions/latest/export')).status, 404);
    assert.equal((await api('GET', '/api/datasets/qa/versions/99')).status, 404);

    // text/plain and JSON have parsers of their own in Fastify: without the check they reached the
    // handler parsed (a string imported one character a chunk; an object answered 500).
    for (const contentType of ['application/xml', 'text/plain', 'application/json']) {
      const wrongType = await api<ApiError>('POST', '/api/datasets/qa/import', { body: seedJsonl, contentType });
      assert.deepEqual([wrongType.status, wrongType.body.error.code], [415, 'unsupported_media_type'], contentType);
      assert.match(wrongType.body.error.message, /send application\/x-ndjson, application\/jsonl, text\/csv/);
    }
    const asJson = await api<ApiError>('POST', '/api/datasets/qa/import', { body: { items: [] } });
    assert.equal(asJson.status, 415, `a JSON body is not a file: ${asJson.text}`);
    assert.equal(
      (await api('POST', '/api/datasets/qa/import', { body: seedJsonl, contentType: 'application/jsonl; charset=utf-8' })).status,
      201,
    );

    const badVersion = await api<ApiError>('GET', '/api/datasets/qa/versions/zero/items');
    assert.deepEqual([badVersion.status, badVersion.body.error.code], [400, 'invalid_request']);
    const badFormat = await api<ApiError>('GET', '/api/datasets/qa/versions/1/export?format=xml');
    assert.equal(badFormat.status, 400);
    assert.equal((await show('qa')).latest_version, 2, 'no refusal wrote a version (the accepted one was identical to v1)');
  });
});
