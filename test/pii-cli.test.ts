import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { cliEntry, runCli } from './support/cli.js';

/** Runs `fener` with a text on stdin. */
function runWithStdin(args: string[], input: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
    child.stdin.end(input);
  });
}

test('fener pii redact reads stdin and masks', async () => {
  const result = await runWithStdin(['pii', 'redact'], 'Tel: +90 532 123 45 67\nIBAN TR33 0006 1005 1978 6457 8413 26\n');
  assert.equal(result.code, 0);
  assert.equal(result.stdout, 'Tel: [PHONE]\nIBAN [IBAN]\n');
});

test('fener pii redact --text --json gives entities with offsets; hash follows FENER_SECRET_KEY and project', async () => {
  const args = ['pii', 'redact', '--text', 'mail ali@example.com', '--mode', 'hash', '--json'];
  const first = await runCli(args, { FENER_SECRET_KEY: 'one' });
  assert.equal(first.code, 0, first.stderr);
  const parsed = JSON.parse(first.stdout) as { text: string; entities: unknown[] };
  assert.match(parsed.text, /^mail \[EMAIL_[0-9a-f]{8}\]$/);
  assert.deepEqual(parsed.entities, [{ type: 'email', start: 5, end: 20 }]);
  const again = JSON.parse((await runCli(args, { FENER_SECRET_KEY: 'one' })).stdout) as { text: string };
  const otherSecret = JSON.parse((await runCli(args, { FENER_SECRET_KEY: 'two' })).stdout) as { text: string };
  const otherProject = JSON.parse((await runCli([...args, '--project', 'proj_x'], { FENER_SECRET_KEY: 'one' })).stdout) as { text: string };
  assert.equal(again.text, parsed.text);
  assert.notEqual(otherSecret.text, parsed.text);
  assert.notEqual(otherProject.text, parsed.text);
});

test('fener pii redact --types limits the types; unknown types and modes fail with a message', async () => {
  const only = await runCli(['pii', 'redact', '--text', 'ali@example.com 10.0.0.1', '--types', 'ip_address', '--mode', 'remove']);
  assert.equal(only.stdout, 'ali@example.com \n');
  const badType = await runCli(['pii', 'redact', '--text', 'x', '--types', 'passport']);
  assert.notEqual(badType.code, 0);
  assert.match(badType.stderr, /unknown type "passport"/);
  const badMode = await runCli(['pii', 'redact', '--text', 'x', '--mode', 'shred']);
  assert.notEqual(badMode.code, 0);
  assert.match(badMode.stderr, /shred/);
});
