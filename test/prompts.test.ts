/**
 * Issue #5, prompts end to end: pushed and labelled through `/api`, called with the official
 * `openai` client as `model: "prompt:greet@production"` against Fener in front of the mock
 * provider, traced with the prompt's name and version; label moves reach the next call; the
 * `fener prompts` commands round-trip files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startMockProvider, type MockProvider } from '../src/mock/index.js';
import { runCli } from './support/cli.js';
import { adminGet, flushTraces, startTestServer, type TestServer } from './support/fener.js';

interface UpstreamBody {
  model: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  max_tokens?: number;
}

/** Forwards to the mock provider and keeps every chat body, so the test sees what was rendered. */
async function startRecorder(target: string): Promise<{ url: string; bodies: UpstreamBody[]; close(): Promise<void> }> {
  const bodies: UpstreamBody[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (request.url?.endsWith('/chat/completions')) bodies.push(JSON.parse(body) as UpstreamBody);
      void fetch(`${target}${request.url ?? ''}`, {
        method: request.method ?? 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
        .then(async (upstream) => {
          response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
          response.end(Buffer.from(await upstream.arrayBuffer()));
        })
        .catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const greet = {
  name: 'greet',
  messages: [
    { role: 'system', content: 'You greet people {{style}}.' },
    { role: 'user', content: 'Greet {{who}}, who is {{age}}.' },
  ],
  variables: { who: { type: 'string' }, age: { type: 'number' }, style: { type: 'string', default: 'warmly' } },
  parameters: { model: 'small', temperature: 0.2, max_tokens: 20 },
};

describe('prompts end to end', () => {
  let mock: MockProvider;
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let server: TestServer;
  let openai: OpenAI;
  let workDir: string;

  async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  before(async () => {
    mock = await startMockProvider({ port: 0, seed: 3, outputTokens: 5 });
    recorder = await startRecorder(mock.url);
    server = await startTestServer({
      providers: [{ id: 'upstream', type: 'openai-compatible', base_url: `${recorder.url}/v1` }],
      models: [
        { name: 'small', provider: 'upstream', upstream_model: 'gpt-4o-mini', price: { input_per_mtok: 0.15, output_per_mtok: 0.6 } },
        { name: 'large', provider: 'upstream', upstream_model: 'gpt-4o', price: { input_per_mtok: 2.5, output_per_mtok: 10 } },
      ],
    });
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: await server.createKey('prompts'), maxRetries: 0 });
    workDir = mkdtempSync(join(tmpdir(), 'fener-prompt-files-'));
  });
  after(async () => {
    await server.stop();
    await recorder.close();
    await mock.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  test('push through the API, label production, call with the openai client; the trace names the prompt', async () => {
    const pushed = await api<{ created: boolean; version: { version: number; labels: string[] } }>('POST', '/api/prompts', greet);
    assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
    assert.deepEqual([pushed.body.created, pushed.body.version.version], [true, 1]);
    const again = await api<{ created: boolean; version: { version: number } }>('POST', '/api/prompts', greet);
    assert.deepEqual([again.body.created, again.body.version.version], [false, 1], 'identical content is not a new version');
    const labelled = await api<{ version: number; moved: boolean }>('PUT', '/api/prompts/greet/labels/production', { version: 1 });
    assert.deepEqual([labelled.status, labelled.body.version, labelled.body.moved], [200, 1, true]);

    const { data, response } = await openai.chat.completions
      .create({
        model: 'prompt:greet@production',
        messages: [{ role: 'user', content: 'Keep it short.' }],
        max_tokens: 8,
        // @ts-expect-error -- `fener` is Fener's own body field, sent as an extra field by the official client
        fener: { variables: { who: 'Ada', age: 36 } },
      })
      .withResponse();
    assert.ok((data.choices[0]?.message.content ?? '').length > 0);
    const upstream = recorder.bodies.at(-1);
    assert.equal(upstream?.model, 'gpt-4o-mini');
    assert.deepEqual(upstream?.messages, [
      { role: 'system', content: 'You greet people warmly.' },
      { role: 'user', content: 'Greet Ada, who is 36.' },
      { role: 'user', content: 'Keep it short.' },
    ]);
    assert.deepEqual([upstream?.temperature, upstream?.max_tokens], [0.2, 8], "the prompt's temperature, the client's max_tokens");
    assert.ok(!('fener' in (upstream ?? {})), 'the fener field never goes upstream');

    await flushTraces(server);
    const trace = await adminGet<{ model: string; metadata: Record<string, unknown> }>(
      server,
      `/api/traces/${response.headers.get('x-fener-trace-id')}`,
    );
    assert.equal(trace.status, 200);
    assert.deepEqual(trace.body.metadata, { fener: { prompt: { name: 'greet', version: 1, label: 'production' } } });
  });

  test('moving the label changes what the next call renders; rollback restores it; history records both', async () => {
    const v2 = await api<{ version: { version: number } }>('POST', '/api/prompts', {
      ...greet,
      messages: [{ role: 'user', content: 'Say hi to {{who}} ({{age}}), {{style}}.' }],
      parameters: { model: 'large' },
    });
    assert.equal(v2.body.version.version, 2);
    const call = async (): Promise<UpstreamBody | undefined> => {
      await openai.chat.completions.create({
        model: 'prompt:greet',
        messages: [{ role: 'user', content: '.' }],
        // @ts-expect-error -- Fener's extra body field
        fener: { variables: { who: 'Bo', age: 7 } },
      });
      return recorder.bodies.at(-1);
    };
    assert.equal((await call())?.messages[0]?.content, 'You greet people warmly.', 'production still renders version 1');

    assert.equal((await api('PUT', '/api/prompts/greet/labels/production', { version: 2 })).status, 200);
    const deadline = Date.now() + 1000;
    let seen = await call();
    while (seen?.model !== 'gpt-4o' && Date.now() < deadline) seen = await call();
    assert.equal(seen?.model, 'gpt-4o');
    assert.equal(seen?.messages[0]?.content, 'Say hi to Bo (7), warmly.');

    const rolledBack = await api<{ version: number }>('PUT', '/api/prompts/greet/labels/production', { rollback: true });
    assert.equal(rolledBack.body.version, 1);
    const history = await api<{ data: { from_version: number | null; to_version: number; actor: string }[] }>(
      'GET',
      '/api/prompts/greet/labels/production/history',
    );
    assert.deepEqual(
      history.body.data.map((move) => [move.from_version, move.to_version]),
      [
        [2, 1],
        [1, 2],
        [null, 1],
      ],
    );
    assert.ok(
      history.body.data.every((move) => move.actor === 'key_environment'),
      'who: the admin principal',
    );

    const diff = await api<{ identical: boolean; text: string }>('GET', '/api/prompts/greet/diff?from=1&to=2');
    assert.equal(diff.status, 200);
    assert.match(diff.body.text, /-## system/);
    assert.match(diff.body.text, /\+Say hi to \{\{who\}\}/);
    assert.match(diff.body.text, /@@ parameters\n-max_tokens: 20\n-model: small\n-temperature: 0.2\n\+model: large/);
  });

  test('a missing variable through the gateway is a 400 naming it; unknown prompts are 404 model_not_found', async () => {
    await assert.rejects(
      openai.chat.completions.create({
        model: 'prompt:greet@production',
        messages: [{ role: 'user', content: '.' }],
        // @ts-expect-error -- Fener's extra body field
        fener: { variables: { who: 'Ada' } },
      }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'fener.variables.age' && /age/.test(error.message),
    );
    await assert.rejects(
      openai.chat.completions.create({ model: 'prompt:greet@canary', messages: [{ role: 'user', content: '.' }] }),
      (error: unknown) => error instanceof OpenAI.NotFoundError && error.code === 'model_not_found',
    );
  });

  test('API bad input: clear 4xx naming the field, nothing changed', async () => {
    const refused = async (method: string, path: string, body: unknown, status: number, param: string): Promise<void> => {
      const response = await api<{ error: { param?: string; message: string } }>(method, path, body);
      assert.equal(response.status, status, `${method} ${path}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.error.param, param, response.body.error.message);
    };
    await refused('POST', '/api/prompts', { ...greet, name: 'bad name' }, 400, 'name');
    await refused(
      'POST',
      '/api/prompts',
      { ...greet, name: 'fresh', messages: [{ role: 'user', content: '{{nope}}' }] },
      400,
      'messages.0.content',
    );
    await refused('POST', '/api/prompts', { ...greet, name: 'fresh', variables: { who: { type: 'text' } } }, 400, 'variables.who.type');
    await refused('POST', '/api/prompts', { ...greet, name: 'fresh', parameters: { temperature: 9 } }, 400, 'parameters.temperature');
    await refused('POST', '/api/prompts', { ...greet, name: 'fresh', labels: ['Prod!'] }, 400, 'labels.0');
    assert.equal((await api('GET', '/api/prompts/fresh')).status, 404, 'nothing was created');

    await refused('PUT', '/api/prompts/greet/labels/production', { version: 42 }, 404, 'version');
    await refused('PUT', '/api/prompts/greet/labels/production', { version: 1, rollback: true }, 400, 'version');
    await refused('PUT', '/api/prompts/greet/labels/BAD', { version: 1 }, 400, 'params.label');
    await refused('PUT', '/api/prompts/ghost/labels/production', { version: 1 }, 404, 'name');
    await refused('DELETE', '/api/prompts/greet/versions/1', undefined, 409, 'version');
    await refused('POST', '/api/prompts/greet/render', { variables: { who: 'Ada' } }, 400, 'variables.age');
    await refused('POST', '/api/prompts/greet/render', { variables: { who: 'Ada', age: '3' } }, 400, 'variables.age');
    await refused('GET', '/api/prompts/greet/diff?from=1&to=99', undefined, 404, 'to');
    await refused('GET', '/api/prompts/greet/diff?from=x&to=1', undefined, 400, 'query.from');
    const production = await api<{ labels: Record<string, number>; versions: unknown[] }>('GET', '/api/prompts/greet');
    assert.deepEqual(production.body.labels, { production: 1 });
    assert.equal(production.body.versions.length, 2);

    const rendered = await api<{ version: number; messages: unknown[] }>('POST', '/api/prompts/greet/render', {
      version: 2,
      variables: { who: 'Cy', age: 1 },
    });
    assert.deepEqual(rendered.body.messages, [{ role: 'user', content: 'Say hi to Cy (1), warmly.' }]);
    const openapi = await fetch(`${server.url}/api/openapi.json`).then(
      (response) => response.json() as Promise<{ paths: Record<string, object> }>,
    );
    for (const path of ['/api/prompts', '/api/prompts/{name}', '/api/prompts/{name}/labels/{label}', '/api/prompts/{name}/render']) {
      assert.ok(openapi.paths[path], path);
    }
  });

  test('fener prompts: push, pull round trip, diff, label, rollback, sync both ways', async () => {
    const env = { FENER_DATA_DIR: server.dataDir };
    const file = join(workDir, 'welcome.md');
    writeFileSync(
      file,
      [
        '---',
        'name: welcome',
        'labels: [production]',
        'variables:',
        '  who: { type: string }',
        'parameters: { model: small, temperature: 0.5 }',
        '---',
        '',
        '## system',
        '',
        'Be brief.',
        '',
        '## user',
        '',
        'Welcome {{who}}.',
        '',
      ].join('\n'),
    );
    const pushed = await runCli(['prompts', 'push', file], env);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, /welcome: created v1\n {2}production: \(new\) → v1/);

    // Each command is a process start (a few seconds on a busy machine): independent ones run together.
    const pulledPath = join(workDir, 'pulled.md');
    const pulled = await runCli(['prompts', 'pull', 'welcome', '--out', pulledPath], env);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match((await runCli(['prompts', 'push', pulledPath], env)).stdout, /welcome: unchanged, v1/, 'pull then push creates nothing');

    writeFileSync(file, readFileSync(file, 'utf8').replace('Be brief.', 'Be very brief.').replace('labels: [production]\n', ''));
    assert.match((await runCli(['prompts', 'push', file], env)).stdout, /welcome: created v2/);
    const [diff, bad, list, show] = await Promise.all([
      runCli(['prompts', 'diff', 'welcome', 'production', '2'], env),
      runCli(['prompts', 'label', 'welcome', 'production', '--version', '9'], env),
      runCli(['prompts', 'list'], env),
      runCli(['prompts', 'show', 'welcome', '--version', '2'], env),
    ]);
    assert.match(diff.stdout, /-Be brief\.\n\+Be very brief\./);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /has no version 9/);
    assert.match(list.stdout, /welcome\s+v2\s+production=v1/);
    assert.match(show.stdout, /Be very brief/);
    assert.match((await runCli(['prompts', 'label', 'welcome', 'production', '--version', '2'], env)).stdout, /production: v1 → v2/);
    assert.match((await runCli(['prompts', 'label', 'welcome', 'production', '--rollback'], env)).stdout, /production: v2 → v1/);

    const syncDir = join(workDir, 'synced');
    const down = await runCli(['prompts', 'sync', syncDir, '--pull'], env);
    assert.equal(down.code, 0, down.stderr);
    assert.match(readFileSync(join(syncDir, 'greet.md'), 'utf8'), /## system\n\nYou greet people \{\{style\}\}\./);
    assert.match(readFileSync(join(syncDir, 'welcome.md'), 'utf8'), /Be brief\./);
    const unchanged = await runCli(['prompts', 'sync', syncDir], env);
    assert.doesNotMatch(unchanged.stdout, /created/, 'a synced directory pushes nothing new');
    writeFileSync(join(syncDir, 'welcome.md'), readFileSync(join(syncDir, 'welcome.md'), 'utf8').replace('Be brief.', 'Be kind.'));
    const up = await runCli(['prompts', 'sync', syncDir], env);
    assert.match(up.stdout, /welcome created v3 \(production: v1 → v3\)/);
    assert.match(up.stdout, /greet unchanged, v1/);
  });
});
