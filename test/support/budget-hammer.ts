/**
 * One gateway-like process for the cross-process budget test: many concurrent calls reserving,
 * streaming (with running-cost checks) and settling against one budget in the real Redis.
 * Prints "ready", waits for a line on stdin, runs until the budget refuses it, prints a JSON summary.
 */
import { createInterface } from 'node:readline';
import { FenerError } from '../../src/core/index.js';
import { Limits } from '../../src/gateway/limits/index.js';
import { createRedisState } from '../../src/state/index.js';

interface HammerOptions {
  redisUrl: string;
  prefix: string;
  keyId: string;
  limitUsd: number;
  estimateUsd: number;
  workers: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as HammerOptions;
const state = createRedisState(options.redisUrl, { keyPrefix: options.prefix, opTimeoutMs: 2000 });
const limits = new Limits({ state, spend: async () => 0 });
const principal = { id: options.keyId, projectId: null };
const keyBudget = { usd: options.limitUsd, period: 'total' as const };
const summary = { admitted: 0, refused: 0, stopped: 0, settledUsd: 0, degraded: false };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A streamed call that may run past its estimate (as when the request set no max_tokens), in
 * chunks of 1/50 of the estimate, up to 2× the estimate, stopped when the budget says so.
 */
async function stream(reservation: Awaited<ReturnType<Limits['reserveBudget']>>): Promise<number> {
  const chunk = options.estimateUsd / 50;
  const length = Math.ceil(Math.random() * 100);
  let running = 0;
  for (let index = 0; index < length; index++) {
    running += chunk; // the chunk arrived from upstream: it is paid for whatever happens next
    if (!(await limits.checkRunning(reservation, running))) {
      summary.stopped++;
      break;
    }
    await pause(Math.random() * 2);
  }
  return running;
}

async function call(): Promise<boolean> {
  let reservation;
  try {
    reservation = await limits.reserveBudget({ principal, keyBudget, estimatedCostUsd: options.estimateUsd });
  } catch (error) {
    if (error instanceof FenerError && error.code === 'budget_exceeded') return false;
    throw error;
  }
  summary.admitted++;
  const actual = Math.random() < 0.5 ? await stream(reservation) : options.estimateUsd * (0.3 + Math.random() * 0.7);
  await pause(Math.random() * 5);
  await limits.settle(reservation, actual);
  summary.settledUsd += actual;
  return true;
}

async function worker(): Promise<void> {
  let refusedInARow = 0;
  while (refusedInARow < 3) {
    if (await call()) refusedInARow = 0;
    else {
      refusedInARow++;
      summary.refused++;
      await pause(20);
    }
  }
}

process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
lines.once('line', () => {
  lines.close();
  void Promise.all(Array.from({ length: options.workers }, () => worker())).then(async () => {
    summary.degraded = state.degraded;
    await state.close();
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    process.stdin.destroy();
  });
});
