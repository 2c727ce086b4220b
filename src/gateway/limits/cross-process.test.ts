/**
 * Three separate processes hammer one budget in the real Redis, with plain and streamed calls.
 * The total they settle may pass the limit by at most one call's cost (in practice, one chunk).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { deletePrefix, directClient, redisUrl, uniquePrefix } from '../../../test/support/redis.js';
import { createRedisState } from '../../state/index.js';

const hammer = fileURLToPath(new URL('../../../test/support/budget-hammer.ts', import.meta.url));
const prefix = uniquePrefix('cross-process');
after(() => deletePrefix(prefix));

interface Summary {
  admitted: number;
  refused: number;
  stopped: number;
  settledUsd: number;
  degraded: boolean;
}

function start(options: object): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', hammer, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return { child, output: () => output };
}

async function waitForLine(read: () => string, line: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!read().split('\n').includes(line)) {
    if (Date.now() > deadline) throw new Error(`no "${line}" within ${timeoutMs} ms; got: ${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('three processes on one Redis budget never overspend it by more than one call', { timeout: 120_000 }, async (context) => {
  (await directClient()).disconnect();
  const keyId = 'key_cross_process';
  const options = { redisUrl, prefix, keyId, limitUsd: 5, estimateUsd: 0.01, workers: 20 };
  const children = [0, 1, 2].map(() => start(options));
  await Promise.all(children.map(({ output }) => waitForLine(output, 'ready', 30_000)));
  for (const { child } of children) child.stdin.end('go\n');
  const codes = await Promise.all(children.map(({ child }) => once(child, 'exit').then(([code]) => code as number | null)));
  assert.deepEqual(codes, [0, 0, 0]);

  const summaries = children.map(({ output }) => JSON.parse(output().trim().split('\n').at(-1) ?? '{}') as Summary);
  for (const summary of summaries) {
    assert.equal(summary.degraded, false, 'a child ran on local memory: the test proved nothing');
    assert.ok(summary.admitted > 20, `a child was starved: ${JSON.stringify(summary)}`);
  }
  const state = createRedisState(redisUrl, { keyPrefix: prefix });
  try {
    const budget = await state.readBudget(`budget:key:${keyId}:total`);
    const settled = summaries.reduce((sum, summary) => sum + summary.settledUsd, 0);
    assert.ok(Math.abs(budget.spent - settled) < 1e-9, `Redis counted ${budget.spent}, the processes settled ${settled}`);
    assert.ok(budget.spent <= options.limitUsd + options.estimateUsd, `overspent: ${budget.spent} > ${options.limitUsd} + one call`);
    assert.ok(budget.spent > options.limitUsd - 3 * options.estimateUsd, `the budget was not used up: ${budget.spent}`);
    assert.ok(Math.abs(budget.reserved) < 1e-9, `holds left behind: ${budget.reserved}`);
    assert.ok(
      summaries.some((summary) => summary.stopped > 0),
      'no stream was ever stopped mid-way by the budget',
    );
    context.diagnostic(`limit $${options.limitUsd}, spent $${budget.spent.toFixed(6)}, ${JSON.stringify(summaries)}`);
  } finally {
    await state.close();
  }
});
