/**
 * `fener datasets …` run as a user would (a child process each) on the database of a running
 * server: import (refused with the line, then --keep-valid), list, show the versions, diff, and
 * export back byte for byte — to a file and to stdout. The server sees what the CLI wrote.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from './support/cli.js';
import { datasetApi, exportLine, seedJsonl, seedRecords } from './support/datasets.js';
import { startTestServer, type TestServer } from './support/fener.js';

describe('datasets from the CLI', () => {
  let server: TestServer;
  let workDir: string;

  before(async () => {
    server = await startTestServer();
    workDir = mkdtempSync(join(tmpdir(), 'fener-datasets-cli-'));
  });
  after(async () => {
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  test('import → list → show → diff → export, on the server’s own database', async () => {
    const env = { FENER_DATA_DIR: server.dataDir };
    const run = async (...args: string[]): Promise<string> => {
      const result = await runCli(args, env);
      assert.equal(result.code, 0, `fener ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    const rough = join(workDir, 'rough.jsonl');
    const valid = exportLine(seedRecords[0]!);
    writeFileSync(rough, `${valid}{broken\n`);

    const refused = await runCli(['datasets', 'import', 'cli-qa', rough], env);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /^line 2: malformed JSON/m);
    assert.match(refused.stderr, /nothing was written: fix the lines above or pass --keep-valid/);
    assert.match(refused.stdout, /cli-qa: nothing written, 0 items; 1 valid, 1 rejected/);

    const kept = JSON.parse(await run('datasets', 'import', 'cli-qa', rough, '--keep-valid', '--json')) as {
      version: number;
      itemCount: number;
      rejectedLines: { line: number }[];
    };
    assert.deepEqual([kept.version, kept.itemCount, kept.rejectedLines.map((entry) => entry.line)], [1, 1, [2]]);
    const full = join(workDir, 'full.jsonl');
    writeFileSync(full, seedJsonl);
    assert.match(await run('datasets', 'import', 'cli-qa', full), /cli-qa: v2, 7 items; 7 valid, 0 rejected/);

    const listed = JSON.parse(await run('datasets', 'list', '--json')) as { name: string; latestVersion: number }[];
    assert.deepEqual(
      listed.map((dataset) => [dataset.name, dataset.latestVersion]),
      [['cli-qa', 2]],
    );
    const shown = JSON.parse(await run('datasets', 'show', 'cli-qa', '--json')) as {
      versions: { version: number; parentVersion: number | null; step: string; itemCount: number }[];
    };
    assert.deepEqual(
      shown.versions.map((version) => [version.version, version.step, version.itemCount]),
      [
        [2, 'import', 7],
        [1, 'import', 1],
      ],
    );
    assert.match(
      await run('datasets', 'diff', 'cli-qa', '1', 'latest', '--ids'),
      /v1 → v2: \+6 added, -0 removed, ~0 changed, 1 unchanged\n(\+ q\d\n){6}$/,
    );

    const out = join(workDir, 'v1.jsonl');
    await run('datasets', 'export', 'cli-qa', '--at', '1', '--out', out);
    assert.equal(readFileSync(out, 'utf8'), valid);
    assert.equal(await run('datasets', 'export', 'cli-qa'), seedJsonl, 'stdout carries the file and nothing else');

    const fromServer = await datasetApi<{ latest_version: number }>(server, 'GET', '/api/datasets/cli-qa');
    assert.equal(fromServer.body.latest_version, 2);
    assert.equal((await datasetApi(server, 'GET', '/api/datasets/cli-qa/versions/2/export?format=jsonl')).text, seedJsonl);

    const unknown = await runCli(['datasets', 'export', 'nope'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /nope/);
  });
});
