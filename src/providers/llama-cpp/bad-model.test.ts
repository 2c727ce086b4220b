/**
 * Broken model files must fail requests with an error that names the problem, and never take
 * the calling process down, even when llama.cpp aborts on them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeTinyGguf } from '../../../test/fixtures/tiny-gguf.js';
import { FenerError, providerSchema } from '../../core/index.js';
import type { ChatRequest } from '../spec.js';
import { createLlamaCppProvider, type LlamaCppProvider } from './index.js';

const directory = mkdtempSync(join(tmpdir(), 'fener-bad-model-'));
after(() => rmSync(directory, { recursive: true, force: true }));
const hello: ChatRequest = { model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 3, temperature: 0 };

function providerFor(path: string): LlamaCppProvider {
  return createLlamaCppProvider(providerSchema.parse({ id: 'bad', type: 'llama-cpp', model_path: path, threads: 1, context_size: 256 }));
}

function isModelError(pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof FenerError, `expected a FenerError, got ${String(error)}`);
    assert.equal(error.code, 'upstream_error', error.message);
    assert.equal(error.retryable, false);
    assert.match(error.message, pattern);
    return true;
  };
}

test('a model without feed_forward_length is refused before llama.cpp loads it', async () => {
  const path = join(directory, 'no-feed-forward.gguf');
  await writeTinyGguf(path, { omitKeys: ['llama.feed_forward_length'] });
  const provider = providerFor(path);
  try {
    await assert.rejects(provider.chat(hello), isModelError(/no-feed-forward\.gguf cannot be used: llama\.feed_forward_length is missing/));
    await assert.rejects(provider.embed({ model: 'tiny', input: ['x'] }), isModelError(/feed_forward_length/));
  } finally {
    await provider.close();
  }
});

test('a truncated model file is refused', async () => {
  const path = join(directory, 'truncated.gguf');
  await writeTinyGguf(path);
  const bytes = await readFile(path);
  await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const provider = providerFor(path);
  try {
    await assert.rejects(provider.chat(hello), isModelError(/the file is truncated/));
  } finally {
    await provider.close();
  }
});

test('a model that aborts llama.cpp while loading fails requests, not the process', async () => {
  // Passes the metadata checks, then trips a native assertion (more experts used than exist).
  const path = join(directory, 'aborts.gguf');
  await writeTinyGguf(path, { uint32Overrides: { 'llama.expert_count': 2, 'llama.expert_used_count': 3 } });
  const provider = providerFor(path);
  try {
    await assert.rejects(provider.chat(hello), isModelError(/crashed while loading .*aborts\.gguf \(SIGABRT\).*GGML_ASSERT/));
    // Remembered: the next request fails at once instead of crashing a new child.
    const started = Date.now();
    await assert.rejects(provider.chat(hello), isModelError(/crashed while loading/));
    assert.equal(provider.pid, undefined);
    assert.ok(Date.now() - started < 500, `a second crash took ${Date.now() - started} ms`);
    // Until the file changes.
    await writeTinyGguf(path);
    const result = await provider.chat(hello);
    assert.equal(result.usage?.output_tokens, 3);
  } finally {
    await provider.close();
  }
});
