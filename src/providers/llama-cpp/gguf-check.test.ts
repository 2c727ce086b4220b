import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeTinyGguf, type TinyGgufOptions } from '../../../test/fixtures/tiny-gguf.js';
import { FenerError } from '../../core/index.js';
import { checkGgufFile } from './gguf-check.js';

const directory = mkdtempSync(join(tmpdir(), 'fener-gguf-check-'));
after(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

async function model(options: TinyGgufOptions = {}): Promise<string> {
  const path = join(directory, `model-${files++}.gguf`);
  await writeTinyGguf(path, options);
  return path;
}

async function assertRejected(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(checkGgufFile(path), (error: unknown) => {
    assert.ok(error instanceof FenerError, `expected a FenerError, got ${String(error)}`);
    assert.equal(error.code, 'upstream_error');
    assert.equal(error.retryable, false);
    assert.match(error.message, pattern);
    return true;
  });
}

test('the tiny model passes', async () => {
  assert.deepEqual(await checkGgufFile(await model()), { architecture: 'llama', tensorCount: 20 });
});

test('missing or zero hyper-parameters are named', async () => {
  await assertRejected(await model({ omitKeys: ['llama.feed_forward_length'] }), /llama\.feed_forward_length is missing/);
  await assertRejected(await model({ omitKeys: ['llama.attention.head_count'] }), /llama\.attention\.head_count is missing/);
  await assertRejected(await model({ omitKeys: ['general.architecture'] }), /general\.architecture is missing/);
  await assertRejected(
    await model({ uint32Overrides: { 'llama.attention.head_count': 0 } }),
    /llama\.attention\.head_count must be a positive number/,
  );
  await assertRejected(await model({ uint32Overrides: { 'llama.attention.head_count_kv': 0 } }), /head_count_kv must be a positive number/);
});

test('a llama vocabulary without byte tokens is refused', async () => {
  await assertRejected(await model({ byteTokens: false }), /lacks the byte token <0x00>/);
});

test('truncated files, other files and missing files are refused', async () => {
  const bytes = await readFile(await model());
  const truncatedData = join(directory, 'truncated-data.gguf');
  await writeFile(truncatedData, bytes.subarray(0, bytes.length - 1000));
  await assertRejected(truncatedData, /truncated: tensor blk\.1\.ffn_down\.weight ends at byte/);
  const truncatedHeader = join(directory, 'truncated-header.gguf');
  await writeFile(truncatedHeader, bytes.subarray(0, 5000));
  await assertRejected(truncatedHeader, /truncated/);
  const text = join(directory, 'notes.txt');
  await writeFile(text, 'not a model at all, just some words');
  await assertRejected(text, /not a readable GGUF file/);
  await assertRejected(join(directory, 'absent.gguf'), /absent\.gguf cannot be used: ENOENT/);
});
