/** The `registry:` and `deployment:` resolvers over a real SQLite store, changed by a second store as another process would. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FenerError } from '../core/index.js';
import type { Principal } from '../identity/index.js';
import type { ChatRequest } from '../providers/index.js';
import { openStore, type Store } from '../store/index.js';
import { RegistryRouting } from './resolvers.js';

const dir = mkdtempSync(join(tmpdir(), 'fener-resolvers-'));
let store: Store;
let other: Store;
let routing: RegistryRouting;

const principal = { id: 'key_app' } as unknown as Principal;

function resolve(request: ChatRequest) {
  const resolver = routing.resolvers.find((candidate) => request.model.startsWith(candidate.prefix));
  assert.ok(resolver);
  return resolver.resolve({ request, principal, controls: undefined, stickiness: 'key_app' });
}

before(async () => {
  store = await openStore({ dataDir: dir });
  other = await openStore({ dataDir: dir });
  const project = await store.projects.ensure('default');
  await store.registry.createModel({ name: 'support', projectId: project.id, actor: 'key_a' });
  await store.registry.addVersion({
    model: 'support',
    version: {
      kind: 'hosted',
      provider: 'upstream',
      upstream_model: 'ft-1',
      price: { input_per_mtok: 1, output_per_mtok: 1 },
      tasks: ['chat'],
    },
    actor: 'key_a',
  });
  await store.registry.moveAlias({ model: 'support', alias: 'champion', version: 1, actor: 'key_a' });
  await store.deployments.create({
    name: 'bot',
    projectId: project.id,
    spec: { prompt: null, model: 'registry:support@champion', parameters: { temperature: 0.2, max_tokens: 50 }, fallbacks: [] },
    actor: 'key_a',
    requiresApproval: false,
  });
  routing = new RegistryRouting(store, {
    pollIntervalMs: 20,
    prompts: {
      async render(reference, variables) {
        if (reference !== 'reply@production') throw new FenerError('model_not_found', `no prompt ${reference}`);
        const customer = (variables as { customer?: string } | undefined)?.customer ?? 'nobody';
        return {
          messages: [{ role: 'system', content: `Help ${customer}` }],
          parameters: { model: 'ignored', temperature: 0.9, max_tokens: 100, top_p: 0.5 },
          tools: [{ type: 'function', function: { name: 'lookup' } }],
          prompt: { name: 'reply', version: 4, label: 'production' },
        };
      },
    },
  });
  await routing.start();
});
after(async () => {
  routing.stop();
  await store.close();
  await other.close();
  rmSync(dir, { recursive: true, force: true });
});

test('registry: names resolve to the serving model by alias or version; unknown ones are model_not_found', async () => {
  const resolved = await resolve({ model: 'registry:support@champion', messages: [] });
  assert.equal(resolved.request.model, 'registry/support/v1');
  assert.equal((await resolve({ model: 'registry:support@1', messages: [] })).request.model, 'registry/support/v1');
  assert.equal((await resolve({ model: 'registry:support', messages: [] })).request.model, 'registry/support/v1', 'champion by default');
  for (const model of ['registry:support@2', 'registry:support@staging', 'registry:ghost@1', 'registry:@1']) {
    await assert.rejects(
      resolve({ model, messages: [] }),
      (error: unknown) => error instanceof FenerError && error.code === 'model_not_found',
    );
  }
});

test('deployment: parameters fill only unset fields, the model is resolved, the version is in the trace metadata', async () => {
  const resolved = await resolve({ model: 'deployment:bot', messages: [{ role: 'user', content: 'hi' }], temperature: 1 });
  assert.deepEqual(resolved.request, {
    model: 'registry/support/v1',
    messages: [{ role: 'user', content: 'hi' }],
    temperature: 1,
    max_tokens: 50,
  });
  assert.deepEqual(resolved.traceMetadata, {
    deployment: { name: 'bot', version: 1, model: 'registry:support@champion', registry_version: 1 },
  });
  await assert.rejects(
    resolve({ model: 'deployment:ghost', messages: [] }),
    (error: unknown) => error instanceof FenerError && error.code === 'model_not_found',
  );
  const withVariables = routing.resolvers.find((candidate) => candidate.prefix === 'deployment:');
  await assert.rejects(
    withVariables!.resolve({
      request: { model: 'deployment:bot', messages: [] },
      principal,
      controls: { variables: { a: 1 } },
      stickiness: 'k',
    }),
    (error: unknown) => error instanceof FenerError && error.code === 'invalid_request' && error.param === 'fener.variables',
  );
});

test("another process's change is served after a poll", async () => {
  await other.deployments.update({
    name: 'bot',
    spec: { prompt: 'reply@production', model: 'small', parameters: { max_tokens: 20 }, fallbacks: ['registry:support@champion'] },
    actor: 'key_b',
    requiresApproval: false,
  });
  const deadline = Date.now() + 1000;
  let model = '';
  while (Date.now() < deadline && model !== 'small') {
    model = (await resolve({ model: 'deployment:bot', messages: [] })).request.model;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(model, 'small');
  const resolver = routing.resolvers.find((candidate) => candidate.prefix === 'deployment:')!;
  const resolved = await resolver.resolve({
    request: { model: 'deployment:bot', messages: [{ role: 'user', content: 'hi' }], top_p: 0.1 },
    principal,
    controls: { variables: { customer: 'Ada' } },
    stickiness: 'k',
  });
  // caller (top_p) > deployment (max_tokens) > prompt (temperature; its model is ignored); prompt messages first.
  assert.deepEqual(resolved.request, {
    model: 'small',
    messages: [
      { role: 'system', content: 'Help Ada' },
      { role: 'user', content: 'hi' },
    ],
    top_p: 0.1,
    max_tokens: 20,
    temperature: 0.9,
    tools: [{ type: 'function', function: { name: 'lookup' } }],
  });
  assert.deepEqual(resolved.fallbacks, ['registry/support/v1']);
  assert.equal(resolved.routeName, 'deployment:bot');
  assert.deepEqual(resolved.traceMetadata, {
    deployment: { name: 'bot', version: 2, model: 'small', prompt: 'reply@production', prompt_version: 4 },
  });
});
