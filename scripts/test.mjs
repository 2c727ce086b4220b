#!/usr/bin/env node
// `npm test`: static checks first (types, lint, format, layering), then every test file with
// node's own test runner. Node 20's `--test` takes no globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const onlyTests = process.argv.includes('--only-tests');
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));

function run(label, command, args) {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    process.stdout.write(`\n${label} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
}

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const bin = (name) => join('node_modules', '.bin', name);
if (!onlyTests) {
  run('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  // The console has its own settings (DOM, JSX, bundler resolution); it covers the SDK it imports too.
  run('typecheck console', bin('tsc'), ['-p', 'ui/tsconfig.json']);
  run('lint', bin('eslint'), ['.']);
  run('format', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
  run('layers', bin('depcruise'), ['src', '--config', '.dependency-cruiser.cjs']);
  run('build', bin('tsc'), ['-p', 'tsconfig.build.json']);
  // The browser tests drive the built console (dist/ui), so it is built from this source first.
  run('build console', bin('vite'), ['build', '--config', 'ui/vite.config.ts', '--logLevel', 'warn']);
}

const files = [...findTests('src'), ...findTests('test')]
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  process.stdout.write('no test files matched\n');
  process.exit(1);
}
run('tests', process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-concurrency=2',
  '--test-timeout=120000',
  ...files,
]);
