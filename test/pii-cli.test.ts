import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { projectSalt, redactPii } from '../src/pii/index.js';
import { cliEntry, runCli } from './support/cli.js';

// Each case spawns `fener` from source (seconds each on a loaded machine): kept to four spawns.

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

test('fener pii redact --text --json: offsets into the input; hash salt is HMAC(FENER_SECRET_KEY, project)', async () => {
  const text = 'mail ali@example.com';
  const result = await runCli(['pii', 'redact', '--text', text, '--mode', 'hash', '--json', '--project', 'proj_x'], {
    FENER_SECRET_KEY: 'one',
  });
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as { text: string; entities: unknown[] };
  assert.deepEqual(parsed.entities, [{ type: 'email', start: 5, end: 20 }]);
  // The same pseudonym as the server's for that project and secret, and a different one otherwise.
  assert.equal(parsed.text, redactPii(text, { mode: 'hash', salt: projectSalt('one', 'proj_x') }).text);
  assert.notEqual(parsed.text, redactPii(text, { mode: 'hash', salt: projectSalt('two', 'proj_x') }).text);
  assert.notEqual(parsed.text, redactPii(text, { mode: 'hash', salt: projectSalt('one', 'admin') }).text);
});

test('fener pii redact --types limits the types; an unknown type fails with a message', async () => {
  const only = await runCli(['pii', 'redact', '--text', 'ali@example.com 10.0.0.1', '--types', 'ip_address', '--mode', 'remove']);
  assert.equal(only.stdout, 'ali@example.com \n');
  const badType = await runCli(['pii', 'redact', '--text', 'x', '--types', 'passport']);
  assert.notEqual(badType.code, 0);
  assert.match(badType.stderr, /unknown type "passport"/);
});
