/**
 * Issue #5 items 3, 4 and 6 end to end: the official `openai` client calls a registry version
 * and a deployment through Fener in front of the mock provider; a change and a one-step
 * rollback restore the previous model and parameters; the audit chain verifies through the CLI
 * and detects a row edited behind its back.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import OpenAI from 'openai';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { runCli } from './support/cli.js';
import { adminGet, flushTraces, startTestServer, type TestServer } from './support/fener.js';

interface TraceView {
  upstream_model: string | null;
  output_tokens: number;
  metadata: {
    fener?: { deployment?: { name: string; version: number; model: string; prompt?: string; prompt_version?: number }; registry?: unknown };
  } | null;
}

interface AuditView {
  data: { seq: number; action: string; before: { version: number; model: string } | null; after: { version: number; model: string } }[];
}

const price = { input_per_mtok: 0.15, output_per_mtok: 0.6 };

describe('deployments end to end with the openai client', () => {
  let mock: MockProvider;
  let server: TestServer;
  let openai: OpenAI;

  before(async () => {
    mock = await startMockProvider({ port: 0, seed: 11, outputTokens: 12 });
    server = await startTestServer(
      {
        providers: [{ id: 'upstream', type: 'openai-compatible', base_url: `${mock.url}/v1`, api_key_env: 'UPSTREAM_KEY' }],
        models: [{ name: 'small', provider: 'upstream', upstream_model: 'gpt-4o-mini', price }],
      },
      { UPSTREAM_KEY: 'upstream-secret' },
    );
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: await server.createKey('app'), maxRetries: 0 });
  });
  after(async () => {
    await server.stop();
    await mock.close();
  });

  async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  }

  async function call(model: string, extra: { max_tokens?: number } = {}): Promise<{ tokens: number; trace: TraceView }> {
    const { data, response } = await openai.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'Where is my order?' }], ...extra })
      .withResponse();
    await flushTraces(server);
    const traceId = response.headers.get('x-fener-trace-id');
    const trace = await adminGet<TraceView>(server, `/api/traces/${traceId}`);
    return { tokens: data.usage?.completion_tokens ?? -1, trace: trace.body };
  }

  /** Calls until the deployment serves `version` (other processes' caches refresh on a poll; allow 1 s). */
  async function callVersion(version: number): Promise<{ tokens: number; trace: TraceView }> {
    const deadline = Date.now() + 1000;
    for (;;) {
      const result = await call('deployment:bot');
      if (result.trace.metadata?.fener?.deployment?.version === version || Date.now() > deadline) return result;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  test('a registry version is callable as registry:NAME@ALIAS and registry:NAME@VERSION', async () => {
    assert.equal((await admin('POST', '/api/registry/models', { name: 'support', description: 'tuned on tickets' })).status, 201);
    const version = await admin('POST', '/api/registry/models/support/versions', {
      kind: 'fine-tuned',
      provider: 'upstream',
      upstream_model: 'ft-support-1',
      price,
      licence: 'proprietary',
      dataset_version: 'tickets@2024-06',
    });
    assert.equal(version.status, 201, JSON.stringify(version.body));
    assert.equal((version.body as { serving_model: string }).serving_model, 'registry/support/v1');
    assert.equal((await admin('PUT', '/api/registry/models/support/aliases/champion', { version: 1 })).status, 200);
    const evaluation = await admin('POST', '/api/registry/models/support/versions/1/evaluations', {
      name: 'golden',
      metric: 'accuracy',
      value: 0.93,
    });
    assert.equal(evaluation.status, 201);

    const byAlias = await call('registry:support@champion');
    assert.equal(byAlias.trace.upstream_model, 'ft-support-1');
    assert.deepEqual(byAlias.trace.metadata?.fener?.registry, { model: 'support', ref: 'champion', version: 1 });
    assert.equal((await call('registry:support@1')).trace.upstream_model, 'ft-support-1');
    await assert.rejects(call('registry:support@challenger'), (error: unknown) => error instanceof OpenAI.NotFoundError);
    const shown = (await admin('GET', '/api/registry/models/support')).body as { versions: { evaluations: unknown[] }[]; aliases: object };
    assert.deepEqual(shown.aliases, { champion: 1 });
    assert.equal(shown.versions[0]?.evaluations.length, 1);
  });

  test('deployment: parameters applied, client fields win, a change and a one-step rollback', async () => {
    const prompt = await admin('POST', '/api/prompts', {
      name: 'support-reply',
      messages: [{ role: 'system', content: 'You answer support questions.' }],
      labels: ['production'],
    });
    assert.equal(prompt.status, 200, JSON.stringify(prompt.body));
    const created = await admin('POST', '/api/deployments', {
      name: 'bot',
      prompt: 'support-reply@production',
      model: 'small',
      parameters: { max_tokens: 3, temperature: 0.1 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));

    const first = await callVersion(1);
    assert.equal(first.tokens, 3, 'the deployment sets max_tokens');
    assert.equal(first.trace.upstream_model, 'gpt-4o-mini');
    assert.deepEqual(first.trace.metadata?.fener?.deployment, {
      name: 'bot',
      version: 1,
      model: 'small',
      prompt: 'support-reply@production',
      prompt_version: 1,
    });
    assert.equal((await call('deployment:bot', { max_tokens: 5 })).tokens, 5, 'a client-set field wins');

    const changed = await admin('POST', '/api/deployments/bot/versions', {
      model: 'registry:support@champion',
      parameters: { max_tokens: 6 },
    });
    assert.equal(changed.status, 201, JSON.stringify(changed.body));
    const second = await callVersion(2);
    assert.deepEqual(
      [second.trace.metadata?.fener?.deployment?.version, second.trace.upstream_model, second.tokens],
      [2, 'ft-support-1', 6],
    );

    const rolled = await admin('POST', '/api/deployments/bot/rollback');
    assert.equal(rolled.status, 201, JSON.stringify(rolled.body));
    assert.equal((rolled.body as { active_version: number }).active_version, 3);
    const third = await callVersion(3);
    assert.deepEqual([third.trace.metadata?.fener?.deployment?.version, third.trace.upstream_model, third.tokens], [3, 'gpt-4o-mini', 3]);

    const audit = (await admin('GET', '/api/audit?object_type=deployment&object_id=bot')).body as AuditView;
    assert.deepEqual(
      audit.data.map((entry) => entry.action),
      ['deployment.rollback', 'deployment.update', 'deployment.create'],
    );
    const rollback = audit.data[0]!;
    assert.deepEqual(
      [rollback.before?.version, rollback.before?.model, rollback.after.version, rollback.after.model],
      [2, 'registry:support@champion', 3, 'small'],
    );
  });

  test('fener audit verify confirms the chain, and names the first row edited behind its back', async () => {
    const env = { FENER_DATA_DIR: server.dataDir };
    const listed = await runCli(['audit', 'list', '--object-type', 'deployment'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /deployment\.rollback/);
    const good = await runCli(['audit', 'verify'], env);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /^ok: \d+ entries/);

    const rollbackSeq = ((await admin('GET', '/api/audit?object_type=deployment')).body as AuditView).data[0]!.seq;
    const database = new SqliteDatabase(join(server.dataDir, 'fener.db'));
    try {
      database.prepare("UPDATE audit_log SET after = replace(after, 'small', 'large') WHERE seq = ?").run(rollbackSeq);
    } finally {
      database.close();
    }
    const bad = await runCli(['audit', 'verify'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, new RegExp(`broken at seq ${rollbackSeq}:`));
    const api = (await admin('GET', '/api/audit/verify')).body as { ok: boolean; broken: { seq: number } };
    assert.deepEqual([api.ok, api.broken.seq], [false, rollbackSeq]);
  });
});
