import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockProvider, type MockProvider } from './index.js';

let provider: MockProvider;
let client: OpenAI;

before(async () => {
  provider = await startMockProvider({ port: 0 });
  client = new OpenAI({ baseURL: `${provider.url}/v1`, apiKey: 'x', maxRetries: 0 });
});
after(() => provider.close());

function norm(vector: readonly number[]): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

test('float embeddings are unit length, one per input, and equal for equal inputs', async () => {
  const result = await client.embeddings.create({
    model: 'text-embedding-3-small',
    input: ['alpha', 'beta', 'alpha'],
    encoding_format: 'float',
  });
  assert.equal(result.object, 'list');
  assert.equal(result.model, 'text-embedding-3-small');
  assert.deepEqual(
    result.data.map((item) => item.index),
    [0, 1, 2],
  );
  const [alpha, beta, alphaAgain] = result.data.map((item) => item.embedding);
  assert.ok(alpha && beta && alphaAgain);
  assert.equal(alpha.length, 8);
  assert.ok(Math.abs(norm(alpha) - 1) < 1e-5);
  assert.ok(Math.abs(norm(beta) - 1) < 1e-5);
  assert.deepEqual(alpha, alphaAgain);
  assert.notDeepEqual(alpha, beta);
  assert.deepEqual(result.usage, { prompt_tokens: 3, total_tokens: 3 });
});

test('base64 embeddings are little-endian float32 and decode to the float ones', async () => {
  const float = await client.embeddings.create({ model: 'e', input: 'hello world', encoding_format: 'float', dimensions: 32 });
  const base64 = await client.embeddings.create({ model: 'e', input: 'hello world', encoding_format: 'base64', dimensions: 32 });
  const encoded = base64.data[0]?.embedding as unknown;
  assert.equal(typeof encoded, 'string');
  const bytes = Buffer.from(encoded as string, 'base64');
  assert.equal(bytes.length, 32 * 4);
  const decoded = Array.from({ length: 32 }, (_, i) => bytes.readFloatLE(i * 4));
  assert.deepEqual(decoded, float.data[0]?.embedding);
  // Without encoding_format the client asks for base64 itself and decodes it: same numbers.
  const viaDefault = await client.embeddings.create({ model: 'e', input: 'hello world', dimensions: 32 });
  assert.deepEqual(viaDefault.data[0]?.embedding, float.data[0]?.embedding);
});

test('an embeddings request without input is a 400 naming the parameter', async () => {
  await assert.rejects(
    client.embeddings.create({ model: 'e' } as unknown as OpenAI.EmbeddingCreateParams),
    (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'input',
  );
});

test('GET /v1/models is an OpenAI list, and one model can be retrieved', async () => {
  const ids: string[] = [];
  for await (const model of client.models.list()) {
    assert.equal(model.object, 'model');
    ids.push(model.id);
  }
  assert.ok(ids.includes('gpt-4o-mini'));
  const model = await client.models.retrieve('my/custom-model');
  assert.equal(model.id, 'my/custom-model');
});
