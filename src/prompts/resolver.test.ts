/** The `prompt:` resolver on a real (SQLite) store: rendering, merging, caching and invalidation. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FenerError } from '../core/index.js';
import type { ResolverInput } from '../gateway/index.js';
import type { Principal } from '../identity/index.js';
import type { ChatRequest } from '../providers/index.js';
import { openStore, type Store } from '../store/index.js';
import { pushPrompt } from './prompts.js';
import { parsePromptReference, PromptResolver } from './resolver.js';
import { pushSchema } from './schema.js';

const principal = { id: 'key_test', kind: 'project', projectId: null, project: null } as unknown as Principal;

function input(request: Partial<ChatRequest> & { model: string }, variables?: Record<string, unknown>): ResolverInput {
  return {
    request: { messages: [], ...request },
    principal,
    controls: variables === undefined ? undefined : { variables },
    stickiness: 'key_test',
  };
}

function code(expected: string): (error: unknown) => boolean {
  return (error) => error instanceof FenerError && error.code === expected;
}

test('prompt references: name, @label, @version; anything else is not a prompt name', () => {
  assert.deepEqual(parsePromptReference('greet'), { name: 'greet', selector: { label: 'production' } });
  assert.deepEqual(parsePromptReference('greet@staging'), { name: 'greet', selector: { label: 'staging' } });
  assert.deepEqual(parsePromptReference('greet@3'), { name: 'greet', selector: { version: 3 } });
  for (const bad of ['', '@production', 'greet@', 'greet@0', 'greet@Prod', 'a b@production'])
    assert.equal(parsePromptReference(bad), undefined, bad);
});

describe('PromptResolver', () => {
  let dir: string;
  let store: Store;
  let resolver: PromptResolver;
  let reads = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fener-resolver-'));
    store = await openStore({ dataDir: dir });
    const push = (body: unknown): Promise<unknown> => pushPrompt(store, pushSchema.parse(body), 'key_admin');
    await push({
      name: 'greet',
      messages: [
        { role: 'system', content: 'Be {{tone}}.' },
        { role: 'user', content: 'Greet {{who}}.' },
      ],
      variables: { who: { type: 'string' }, tone: { type: 'string', default: 'warm' } },
      parameters: { model: 'small', temperature: 0.1, max_tokens: 50 },
      tools: [{ type: 'function', function: { name: 'wave' } }],
      labels: ['production'],
    });
    await push({
      name: 'greet',
      messages: [{ role: 'user', content: 'Hi {{who}}!' }],
      variables: { who: { type: 'string' } },
      parameters: { model: 'small' },
    });
    await push({ name: 'modelless', messages: [{ role: 'user', content: 'x' }], labels: ['production'] });
    const byLabel = store.prompts.byLabel.bind(store.prompts);
    store.prompts.byLabel = (name, label) => {
      reads++;
      return byLabel(name, label);
    };
    resolver = new PromptResolver(store, { pollIntervalMs: 20 });
  });
  after(async () => {
    resolver.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('renders the production version; prompt parameters fill only what the client left out; extra messages follow', async () => {
    const resolved = await resolver.resolve(
      input({ model: 'prompt:greet', temperature: 0.9, messages: [{ role: 'user', content: 'And wave.' }] }, { who: 'Ada' }),
    );
    assert.deepEqual(resolved.request, {
      model: 'small',
      messages: [
        { role: 'system', content: 'Be warm.' },
        { role: 'user', content: 'Greet Ada.' },
        { role: 'user', content: 'And wave.' },
      ],
      temperature: 0.9,
      max_tokens: 50,
      tools: [{ type: 'function', function: { name: 'wave' } }],
    });
    assert.deepEqual(resolved.traceMetadata, { prompt: { name: 'greet', version: 1, label: 'production' } });
    const pinned = await resolver.resolve(input({ model: 'prompt:greet@2' }, { who: 'Bo' }));
    assert.deepEqual(pinned.request.messages, [{ role: 'user', content: 'Hi Bo!' }]);
    assert.deepEqual(pinned.traceMetadata, { prompt: { name: 'greet', version: 2, label: null } });
  });

  test('versions are served from memory; a label move reaches the resolver through the revisions feed', async () => {
    await resolver.resolve(input({ model: 'prompt:greet@production' }, { who: 'Ada' }));
    const before = reads;
    for (let i = 0; i < 20; i++) await resolver.resolve(input({ model: 'prompt:greet@production' }, { who: 'Ada' }));
    assert.equal(reads, before, 'no database read for a cached label');

    await store.prompts.setLabel({ name: 'greet', label: 'production', version: 2, actor: 'key_admin' });
    const deadline = Date.now() + 1000;
    let version = 1;
    while (version !== 2 && Date.now() < deadline) {
      version = (
        (await resolver.resolve(input({ model: 'prompt:greet@production' }, { who: 'Ada' }))).traceMetadata as {
          prompt: { version: number };
        }
      ).prompt.version;
      if (version !== 2) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(version, 2);
  });

  test('unknown prompts, labels and versions are model_not_found; misses are cached too', async () => {
    await assert.rejects(resolver.resolve(input({ model: 'prompt:ghost' })), code('model_not_found'));
    await assert.rejects(resolver.resolve(input({ model: 'prompt:greet@canary' })), code('model_not_found'));
    await assert.rejects(resolver.resolve(input({ model: 'prompt:greet@9' })), code('model_not_found'));
    await assert.rejects(resolver.resolve(input({ model: 'prompt:not a name' })), code('model_not_found'));
    const before = reads;
    await assert.rejects(resolver.resolve(input({ model: 'prompt:ghost' })), code('model_not_found'));
    assert.equal(reads, before);
  });

  test('bad variables and a prompt without a model are invalid requests', async () => {
    await assert.rejects(resolver.resolve(input({ model: 'prompt:greet@2' }, {})), (error: unknown) => {
      return error instanceof FenerError && error.code === 'invalid_request' && error.param === 'fener.variables.who';
    });
    await assert.rejects(resolver.resolve(input({ model: 'prompt:greet@2' }, { who: 'a', extra: 1 })), code('invalid_request'));
    await assert.rejects(resolver.resolve(input({ model: 'prompt:modelless' })), (error: unknown) => {
      return error instanceof FenerError && error.code === 'invalid_request' && /parameters\.model/.test(error.message);
    });
  });
});
