/**
 * Embeddings of dataset items through the gateway: every batch is an ordinary gateway call
 * (routed, limited, budgeted and traced under the dataset's project), so any embedding model
 * configured there works — a hosted one, the mock provider, or the local GGUF model. Vectors are
 * stored per content hash and model: items that share content share one vector, and embedding a
 * new version only computes what is new.
 */
import { performance } from 'node:perf_hooks';
import { FenerError, newId } from '../core/index.js';
import type { Gateway } from '../gateway/index.js';
import type { Principal } from '../identity/index.js';
import type { Dataset, DatasetVersion, Store } from '../store/index.js';
import { itemText, parseBody } from './item.js';

export interface EmbedOptions {
  store: Store;
  gateway: Gateway;
  /** Who asked: the calls are made as this principal, within the dataset's project. */
  principal: Principal;
  dataset: Dataset;
  version: DatasetVersion;
  model: string;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface EmbedReport {
  model: string;
  items: number;
  /** Vectors computed now. */
  embedded: number;
  /** Items whose content already had a vector for this model. */
  reused: number;
  dimensions: number | null;
  calls: number;
  traceIds: string[];
}

async function projectPrincipal(store: Store, principal: Principal, dataset: Dataset): Promise<Principal> {
  const project = (await store.projects.get(dataset.projectId)) ?? null;
  return { ...principal, projectId: project?.id ?? principal.projectId, project };
}

export async function embedVersion(options: EmbedOptions): Promise<EmbedReport> {
  const { store, dataset, version, model } = options;
  const principal = await projectPrincipal(store, options.principal, dataset);
  const batchSize = options.batchSize ?? 64;
  const report: EmbedReport = { model, items: 0, embedded: 0, reused: 0, dimensions: null, calls: 0, traceIds: [] };
  for await (const page of store.datasets.iterate(version.id)) {
    report.items += page.length;
    const have = await store.datasets.embeddedHashes(dataset.id, model, [...new Set(page.map((item) => item.contentHash))]);
    const todo = new Map<string, string>();
    for (const item of page) {
      if (have.has(item.contentHash)) report.reused++;
      else if (!todo.has(item.contentHash)) todo.set(item.contentHash, itemText(parseBody(item.body)));
      else report.reused++;
    }
    const entries = [...todo];
    for (let start = 0; start < entries.length; start += batchSize) {
      const chunk = entries.slice(start, start + batchSize);
      const vectors = await embedTexts(options.gateway, principal, { model, texts: chunk.map(([, text]) => text), dataset, version });
      report.calls++;
      if (report.traceIds.length < 20) report.traceIds.push(vectors.traceId);
      report.dimensions = vectors.embeddings[0]?.length ?? report.dimensions;
      await store.datasets.putEmbeddings(
        dataset.id,
        model,
        chunk.map(([contentHash], index) => ({ contentHash, vector: Float32Array.from(vectors.embeddings[index] ?? []) })),
      );
      report.embedded += chunk.length;
    }
    options.onProgress?.(report.items, version.itemCount);
  }
  return report;
}

async function embedTexts(
  gateway: Gateway,
  principal: Principal,
  input: { model: string; texts: string[]; dataset: Dataset; version: DatasetVersion },
): Promise<{ embeddings: number[][]; traceId: string }> {
  const texts = input.texts.map((text) => (text === '' ? ' ' : text));
  const result = await gateway.embed(
    { model: input.model, input: texts },
    {
      principal,
      requestId: newId('req'),
      endpoint: 'embeddings',
      startedAt: performance.now(),
      requestBody: { model: input.model, input_count: texts.length, dataset: input.dataset.name, version: input.version.version },
      metadata: { source: 'datasets.embed', dataset: input.dataset.name, version: input.version.version },
    },
  );
  if (result.result.embeddings.length !== texts.length) {
    throw new FenerError(
      'upstream_error',
      `the embedding model returned ${result.result.embeddings.length} vectors for ${texts.length} texts`,
    );
  }
  return { embeddings: result.result.embeddings, traceId: result.traceId };
}

export interface SearchHit {
  id: string;
  score: number;
}

function cosine(a: Float32Array, b: Float32Array, normB: number): number {
  let dot = 0;
  let normA = 0;
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    dot += a[index]! * b[index]!;
    normA += a[index]! * a[index]!;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** Brute-force cosine top-k over the version's stored vectors (exact; fine to a few hundred thousand items). */
export async function searchVersion(
  options: Omit<EmbedOptions, 'batchSize' | 'onProgress'> & { query: string; k: number },
): Promise<{ hits: SearchHit[]; traceId: string; searched: number }> {
  const principal = await projectPrincipal(options.store, options.principal, options.dataset);
  const embedded = await embedTexts(options.gateway, principal, {
    model: options.model,
    texts: [options.query],
    dataset: options.dataset,
    version: options.version,
  });
  const query = Float32Array.from(embedded.embeddings[0] ?? []);
  const queryNorm = query.reduce((sum, value) => sum + value * value, 0);
  const hits: SearchHit[] = [];
  let searched = 0;
  for await (const page of options.store.datasets.iterateEmbeddings(options.dataset, options.version.id, options.model)) {
    for (const row of page) {
      searched++;
      const score = cosine(row.vector, query, queryNorm);
      if (hits.length < options.k || score > hits.at(-1)!.score) {
        hits.push({ id: row.id, score });
        hits.sort((a, b) => b.score - a.score);
        if (hits.length > options.k) hits.pop();
      }
    }
  }
  if (searched === 0) {
    throw new FenerError(
      'conflict',
      `version ${options.version.version} of "${options.dataset.name}" has no vectors for model "${options.model}": embed it first`,
      {
        param: 'model',
      },
    );
  }
  return { hits, traceId: embedded.traceId, searched };
}
