/**
 * Seeds a store with synthetic traces for `bench:console`, through the store's own
 * `traces.insertMany` (the recorder's code path, rollups included), in large batches: seven days
 * of traffic ending now, several projects, keys, models and deployments, ~2% errors, streamed
 * calls with a time to first token, and small request and response bodies.
 */
import { newId } from '../src/core/index.js';
import type { Store, TraceRow } from '../src/store/index.js';
import { log } from './log.js';

export const weekMs = 7 * 86_400_000;

const models = [
  { name: 'gpt-4o-mini', weight: 35, medianMs: 450, input: 0.15, output: 0.6 },
  { name: 'gpt-4o', weight: 20, medianMs: 1_400, input: 2.5, output: 10 },
  { name: 'claude-haiku', weight: 15, medianMs: 600, input: 0.8, output: 4 },
  { name: 'claude-sonnet', weight: 12, medianMs: 1_900, input: 3, output: 15 },
  { name: 'llama-3-8b', weight: 10, medianMs: 300, input: 0.05, output: 0.1 },
  { name: 'text-embedding-3-small', weight: 8, medianMs: 120, input: 0.02, output: 0 },
];

const errors = [
  { code: 'upstream_timeout', message: 'The upstream did not answer within 30000 ms.', weight: 30 },
  { code: 'upstream_error', message: 'The upstream answered 500: internal server error', weight: 25 },
  { code: 'rate_limited', message: 'Rate limit reached: 600 requests per minute for this key.', weight: 20 },
  { code: 'upstream_unavailable', message: 'Every target of the model is unavailable (circuit open).', weight: 10 },
  { code: 'budget_exceeded', message: 'The project budget of 100 USD per month is spent.', weight: 10 },
  { code: 'cancelled', message: 'The client closed the connection.', weight: 5 },
];

export interface SeedPlan {
  projects: { id: string; name: string; keys: { id: string; secret: string }[]; deployments: string[] }[];
  models: string[];
  end: number;
}

/** A seeded generator, so every run seeds the same traffic. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

function weighted<T extends { weight: number }>(next: () => number, items: readonly T[]): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let point = next() * total;
  for (const item of items) {
    point -= item.weight;
    if (point < 0) return item;
  }
  return items[items.length - 1]!;
}

/** Log-normal around `median`, spread σ = 0.6. */
function logNormal(next: () => number, median: number): number {
  const gaussian = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return median * Math.exp(0.6 * gaussian);
}

export async function createPlan(store: Store, end: number): Promise<SeedPlan> {
  const plan: SeedPlan = { projects: [], models: models.map((model) => model.name), end };
  for (const name of ['support', 'search', 'internal-tools', 'research']) {
    const project = await store.projects.create(name);
    const keys = [];
    for (const keyName of ['production', 'staging', 'batch']) {
      const created = await store.keys.create({ projectId: project.id, name: `${name}-${keyName}`, kind: 'project' });
      keys.push({ id: created.key.id, secret: created.secret });
    }
    plan.projects.push({ id: project.id, name, keys, deployments: [`${name}-bot`, `${name}-summarise`] });
  }
  return plan;
}

export function makeTrace(plan: SeedPlan, next: () => number, createdAt: number): TraceRow {
  const projectWeights = [40, 30, 20, 10];
  const project = weighted(
    next,
    plan.projects.map((item, index) => ({ ...item, weight: projectWeights[index] ?? 1 })),
  );
  const key = project.keys[Math.floor(next() * project.keys.length)]!;
  const model = weighted(next, models);
  const deployment = next() < 0.4 ? project.deployments[Math.floor(next() * project.deployments.length)]! : null;
  const failure = next() < 0.02 ? weighted(next, errors) : undefined;
  const streamed = model.output > 0 && next() < 0.6;
  const latency = logNormal(next, model.medianMs);
  const inputTokens = Math.floor(50 + next() * 1_500);
  const outputTokens = failure || model.output === 0 ? 0 : Math.floor(10 + next() * 600);
  const id = newId('trc', createdAt);
  const question = `Question ${Math.floor(next() * 1e6)} about the order status and delivery`;
  return {
    id,
    trace_id: id,
    request_id: newId('req', createdAt),
    project_id: project.id,
    key_id: key.id,
    created_at: createdAt,
    endpoint: model.output === 0 ? 'embeddings' : 'chat.completions',
    model: model.name,
    provider: 'upstream',
    upstream_model: model.name,
    status: failure ? 'error' : 'ok',
    http_status: failure ? 502 : 200,
    error_code: failure?.code ?? null,
    error_message: failure?.message ?? null,
    end_user: `user_${Math.floor(next() * 5_000)}`,
    session_id: next() < 0.5 ? `session_${Math.floor(next() * 50_000)}` : null,
    metadata: deployment
      ? JSON.stringify({ fener: { deployment: { name: deployment, version: 3 } } })
      : next() < 0.3
        ? '{"feature":"search"}'
        : null,
    request_body: JSON.stringify({ model: model.name, messages: [{ role: 'user', content: question }] }),
    response_body: failure
      ? null
      : JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Your order left the warehouse yesterday.' } }] }),
    stream: streamed ? 1 : 0,
    latency_ms: latency,
    ttft_ms: streamed && !failure ? latency * (0.1 + next() * 0.3) : null,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cached_input_tokens: 0,
    tokens_estimated: 0,
    cost_usd: (inputTokens * model.input + outputTokens * model.output) / 1e6,
    attempts: failure ? 3 : 1,
    cache_hit: null,
    cost_saved_usd: 0,
    deployment,
  };
}

/** Inserts `rows` traces spread evenly (with jitter) over the week before `plan.end`, oldest first. */
export async function seedTraces(store: Store, plan: SeedPlan, rows: number, batchSize = 5_000): Promise<number> {
  const next = random(42);
  const start = plan.end - weekMs;
  const step = weekMs / rows;
  const began = performance.now();
  let lastReport = began;
  for (let offset = 0; offset < rows; offset += batchSize) {
    const batch: TraceRow[] = [];
    for (let index = offset; index < Math.min(rows, offset + batchSize); index++) {
      batch.push(makeTrace(plan, next, Math.floor(start + (index + next()) * step)));
    }
    await store.traces.insertMany(batch);
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      const done = offset + batch.length;
      log(`  seeded ${done.toLocaleString('en')} traces (${Math.round(done / ((lastReport - began) / 1000)).toLocaleString('en')}/s)`);
    }
  }
  return (performance.now() - began) / 1000;
}
