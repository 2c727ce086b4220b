/**
 * Issue #5 "Done when", end to end through the gateway on the mock provider: a prompt change goes
 * out as a canary; a variant made worse by failure injection is rolled back automatically with
 * the decision and its evidence recorded; a healthy canary is promoted; a manual one-step
 * rollback restores the previous deployment version; `fener audit verify` confirms the chain and
 * detects a row edited behind its back. Also: bad splits and promotion without the required
 * approval are refused with nothing changed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { runCli } from './support/cli.js';
import { flushTraces, startTestServer, type TestServer } from './support/fener.js';

interface Comparison {
  variant: string;
  signal: string;
  verdict: string;
  challenger: { n: number; bad: number };
  harm?: { statistic: number; threshold: number };
}
interface CanaryView {
  id: string;
  status: string;
  variants: { name: string; percent: number; version: number }[];
  decisions: { action: string; actor: string; evidence: { reason: string; evidence: { comparisons: Comparison[] } } }[];
  counts: Record<string, Record<string, number>>;
  promotion_request: { requested_by: string } | null;
}
interface TraceView {
  metadata: {
    fener?: { deployment?: { version: number; variant?: string; canary?: string; prompt_version?: number; model: string } };
  } | null;
}

const price = { input_per_mtok: 0.15, output_per_mtok: 0.6 };
const analysis = { min_samples: 30, alpha: 0.05, latency: { margin: 0.15 } };

describe('canary releases end to end', () => {
  let healthy: MockProvider;
  let degraded: MockProvider;
  let server: TestServer;
  let appKey: string;

  before(async () => {
    healthy = await startMockProvider({ port: 0, seed: 5, outputTokens: 4 });
    // The canary's upstream fails half its calls: the failure injection makes that variant worse.
    degraded = await startMockProvider({ port: 0, seed: 6, outputTokens: 4, failures: { errorRate: 0.5, errorStatus: 500 } });
    server = await startTestServer(
      {
        providers: [
          { id: 'upstream', type: 'openai-compatible', base_url: `${healthy.url}/v1`, api_key_env: 'UPSTREAM_KEY' },
          { id: 'degraded', type: 'openai-compatible', base_url: `${degraded.url}/v1`, api_key_env: 'UPSTREAM_KEY' },
        ],
        models: [
          { name: 'small', provider: 'upstream', upstream_model: 'gpt-4o-mini', price },
          { name: 'small-next', provider: 'upstream', upstream_model: 'gpt-4o-mini-next', price },
          { name: 'small-flaky', provider: 'degraded', upstream_model: 'gpt-4o-mini-next', price },
        ],
      },
      { UPSTREAM_KEY: 'upstream-secret' },
      { canary: { flushIntervalMs: 50, evaluateIntervalMs: 100 } },
    );
    appKey = await server.createKey('app');
  });
  after(async () => {
    await server.stop();
    await healthy.close();
    await degraded.close();
  });

  async function admin(method: string, path: string, body?: unknown, key = server.adminKey): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  }

  async function call(user: string, variables: unknown = { customer: user }): Promise<{ status: number; traceId: string | null }> {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'deployment:bot',
        user,
        messages: [{ role: 'user', content: 'Where is my order?' }],
        fener: { variables },
      }),
    });
    await response.arrayBuffer();
    return { status: response.status, traceId: response.headers.get('x-fener-trace-id') };
  }

  async function trace(traceId: string | null): Promise<TraceView> {
    await flushTraces(server);
    return (await admin('GET', `/api/traces/${traceId}`)).body as TraceView;
  }

  async function canary(): Promise<CanaryView> {
    return (await admin('GET', '/api/deployments/bot/canary')).body as CanaryView;
  }

  /** Sends traffic from many users, 8 at a time, until the canary is no longer running. */
  async function driveUntilDecided(limit: number): Promise<CanaryView> {
    for (let sent = 0; sent < limit; sent += 8) {
      await Promise.all(Array.from({ length: 8 }, (_, index) => call(`user-${sent + index}`)));
      if (sent % 40 === 0) {
        const current = await canary();
        if (current.status !== 'running') return current;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    return canary();
  }

  test('a deployment renders its prompt with typed variables; missing or extra ones are 400', async () => {
    const pushed = await admin('POST', '/api/prompts', {
      name: 'support-reply',
      messages: [{ role: 'system', content: 'Help {{customer}} politely.' }],
      variables: { customer: { type: 'string' } },
      parameters: { temperature: 0.2 },
      labels: ['production'],
    });
    assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
    const created = await admin('POST', '/api/deployments', { name: 'bot', prompt: 'support-reply@production', model: 'small' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ok = await call('ada');
    assert.equal(ok.status, 200);
    const served = (await trace(ok.traceId)).metadata?.fener?.deployment;
    assert.deepEqual([served?.version, served?.prompt_version, served?.variant], [1, 1, undefined]);
    assert.equal((await call('ada', {})).status, 400, 'missing variable');
    assert.equal((await call('ada', { customer: 'Ada', tone: 'dry' })).status, 400, 'extra variable');
    const prompts = (await admin('GET', '/api/audit?object_type=prompt&object_id=support-reply')).body as {
      data: { action: string; before: unknown; after: { label?: string; version: number } }[];
    };
    assert.deepEqual(
      prompts.data.map((entry) => [entry.action, entry.before, entry.after.version]),
      [
        ['prompt.label.move', null, 1],
        ['prompt.version.create', null, 1],
      ],
    );
    const keys = (await admin('GET', '/api/audit?object_type=key')).body as { data: { action: string; after: { name: string } }[] };
    assert.ok(keys.data.some((entry) => entry.action === 'key.create' && entry.after.name === 'app'));
  });

  test('a split that does not add up to 100 is refused and nothing changes', async () => {
    const refused = await admin('POST', '/api/deployments/bot/canary', {
      variants: [
        { name: 'baseline', percent: 70 },
        { name: 'canary', percent: 20, spec: { prompt: 'support-reply@production', model: 'small-next' } },
      ],
    });
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /add up to 90, not 100/);
    assert.equal((await admin('GET', '/api/deployments/bot/canary')).status, 404);
    const deployment = (await admin('GET', '/api/deployments/bot')).body as { versions: unknown[] };
    assert.equal(deployment.versions.length, 1, 'no candidate version was stored');
  });

  test('a prompt change canaried on a failing upstream is rolled back automatically, with its evidence', async () => {
    const pushed = await admin('POST', '/api/prompts', {
      name: 'support-reply',
      messages: [{ role: 'system', content: 'Help {{customer}} quickly and politely.' }],
      variables: { customer: { type: 'string' } },
      labels: ['canary'],
    });
    assert.equal(pushed.status, 200);
    const started = await admin('POST', '/api/deployments/bot/canary', {
      variants: [
        { name: 'baseline', percent: 70 },
        { name: 'canary', percent: 30, spec: { prompt: 'support-reply@canary', model: 'small-flaky' } },
      ],
      analysis,
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const candidate = (started.body as CanaryView).variants.find((variant) => variant.name === 'canary');
    assert.equal(candidate?.version, 2);

    // Sticky: one user keeps one variant (failed calls included: their traces carry the variant too).
    for (let index = 0; index < 4; index++) await call('sticky-user');
    await flushTraces(server);
    const traces = (await admin('GET', '/api/traces?user=sticky-user')).body as { data: TraceView[] };
    const variants = new Set(traces.data.map((item) => item.metadata?.fener?.deployment?.variant));
    assert.equal(traces.data.length, 4);
    assert.equal(variants.size, 1, [...variants].join());
    assert.ok(!variants.has(undefined));

    const decided = await driveUntilDecided(1200);
    assert.equal(decided.status, 'rolled_back', JSON.stringify(decided.counts));
    const decision = decided.decisions[0];
    assert.equal(decision?.action, 'rollback');
    assert.equal(decision?.actor, 'system:canary-evaluator');
    assert.match(decision?.evidence.reason ?? '', /worse on error_rate/);
    const errorRate = decision?.evidence.evidence.comparisons.find((comparison) => comparison.signal === 'error_rate');
    assert.equal(errorRate?.verdict, 'harm');
    assert.ok(errorRate?.harm && errorRate.harm.statistic >= errorRate.harm.threshold);
    assert.ok((errorRate?.challenger.n ?? 0) >= analysis.min_samples);

    const audit = (await admin('GET', '/api/audit?object_type=deployment&object_id=bot')).body as { data: { action: string }[] };
    assert.deepEqual(
      audit.data.slice(0, 2).map((entry) => entry.action),
      ['canary.rollback', 'canary.start'],
    );
    // Every caller is back on the baseline.
    for (let index = 0; index < 10; index++) {
      const served = (await trace((await call(`after-${index}`)).traceId)).metadata?.fener?.deployment;
      assert.deepEqual([served?.version, served?.variant], [1, undefined]);
    }
  });

  test('promotion waits for a second person when the policy says so; a healthy canary is then promoted automatically', async () => {
    assert.equal((await admin('PUT', '/api/policies/default', { require_approval: true })).status, 200);
    const { secret } = await server.context.store.keys.create({ projectId: null, name: 'second admin', kind: 'admin' });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the authenticator picks the new key up on its poll
    const started = await admin('POST', '/api/deployments/bot/canary', {
      variants: [
        { name: 'baseline', percent: 50 },
        { name: 'canary', percent: 50, spec: { prompt: 'support-reply@canary', model: 'small-next' } },
      ],
      analysis: { ...analysis, auto_promote: false },
    });
    assert.equal((started.body as CanaryView).status, 'pending', JSON.stringify(started.body));
    assert.equal((await admin('POST', '/api/deployments/bot/canary/approve')).status, 403, 'the author cannot approve');
    assert.equal((await admin('POST', '/api/deployments/bot/canary/approve', undefined, secret)).status, 200);

    const requested = await admin('POST', '/api/deployments/bot/canary/promote');
    assert.equal((requested.body as { awaiting_approval: boolean }).awaiting_approval, true);
    const again = await admin('POST', '/api/deployments/bot/canary/promote');
    assert.equal(again.status, 403, 'the requester cannot confirm their own promotion');
    assert.equal((await canary()).status, 'running', 'nothing changed');
    assert.equal(((await admin('GET', '/api/deployments/bot')).body as { active_version: number }).active_version, 1);
    // Abort this one by hand, then let an approved canary promote itself.
    assert.equal((await admin('POST', '/api/deployments/bot/canary/abort')).status, 200);
    assert.equal((await admin('PUT', '/api/policies/default', { require_approval: false })).status, 200);

    const healthyCanary = await admin('POST', '/api/deployments/bot/canary', {
      variants: [
        { name: 'baseline', percent: 50 },
        { name: 'canary', percent: 50, spec: { prompt: 'support-reply@canary', model: 'small-next' } },
      ],
      analysis,
    });
    assert.equal(healthyCanary.status, 201, JSON.stringify(healthyCanary.body));
    const promotedVersion = (healthyCanary.body as CanaryView).variants[1]?.version;
    const decided = await driveUntilDecided(2400);
    assert.equal(decided.status, 'promoted', JSON.stringify({ counts: decided.counts }));
    const deployment = (await admin('GET', '/api/deployments/bot')).body as { active_version: number };
    assert.equal(deployment.active_version, promotedVersion);
    const served = (await trace((await call('after-promotion')).traceId)).metadata?.fener?.deployment;
    assert.deepEqual([served?.version, served?.prompt_version, served?.model], [promotedVersion, 2, 'small-next']);
  });

  test('a manual one-step rollback restores the previous version; audit verify confirms the chain and catches an edit', async () => {
    const rolled = await admin('POST', '/api/deployments/bot/rollback');
    assert.equal(rolled.status, 201, JSON.stringify(rolled.body));
    const deployment = rolled.body as { active_version: number; versions: { version: number; source_version: number | null }[] };
    assert.equal(deployment.versions.find((version) => version.version === deployment.active_version)?.source_version, 1);
    const served = (await trace((await call('after-rollback')).traceId)).metadata?.fener?.deployment;
    assert.deepEqual([served?.version, served?.prompt_version, served?.model], [deployment.active_version, 1, 'small']);

    const env = { FENER_DATA_DIR: server.dataDir };
    const good = await runCli(['audit', 'verify'], env);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    const entries = (await admin('GET', '/api/audit?object_type=deployment&object_id=bot&limit=50')).body as {
      data: { seq: number; action: string }[];
    };
    const rollbackDecision = entries.data.find((entry) => entry.action === 'canary.rollback');
    assert.ok(rollbackDecision);
    const database = new SqliteDatabase(join(server.dataDir, 'fener.db'));
    try {
      database.prepare("UPDATE audit_log SET after = replace(after, 'rollback', 'promote') WHERE seq = ?").run(rollbackDecision.seq);
    } finally {
      database.close();
    }
    const bad = await runCli(['audit', 'verify'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, new RegExp(`broken at seq ${rollbackDecision.seq}:`));
  });
});
