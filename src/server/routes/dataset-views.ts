/** Shapes and helpers shared by the `/api/datasets` routes. */
import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import { itemSplits, parseBody, type BuildReport } from '../../datasets/index.js';
import type { Principal } from '../../identity/index.js';
import type { Dataset, DatasetVersion, StoredItem, Store } from '../../store/index.js';

export const datasetName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" and "-", at most 128');
export const nameParams = z.object({ name: datasetName });
/** A version number or `latest`. */
export const versionRef = z.union([z.literal('latest'), z.coerce.number().int().positive('must be a positive version number')]);
export const versionParams = z.object({ name: datasetName, version: versionRef });
export const splitName = z.enum(itemSplits);

export const datasetView = z.object({
  name: z.string(),
  project_id: z.string(),
  description: z.string().nullable(),
  latest_version: z.number(),
  created_at: z.number(),
  created_by: z.string(),
  updated_at: z.number(),
});

export const versionView = z.object({
  version: z.number(),
  parent_version: z.number().nullable().describe('the version this one was made from (lineage)'),
  step: z.string().describe('import, traces, feedback, or a pipeline step'),
  params: z.record(z.string(), z.unknown()),
  source: z.record(z.string(), z.unknown()),
  stats: z.record(z.string(), z.unknown()),
  item_count: z.number(),
  content_hash: z.string().describe('sha256 over the ordered (id, split, item content hash) list'),
  created_at: z.number(),
  created_by: z.string(),
});

export const itemView = z.object({
  id: z.string(),
  position: z.number(),
  split: splitName.nullable(),
  content_hash: z.string(),
  input: z.unknown(),
  expected: z.unknown().optional(),
  rejected: z.unknown().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const buildReportView = z.object({
  version: z.number().nullable(),
  created: z.boolean().describe('false when identical content already existed as that version'),
  content_hash: z.string().nullable(),
  item_count: z.number(),
  accepted: z.number(),
  rejected: z.number(),
  rejected_lines: z.array(z.object({ line: z.number(), reason: z.string() })),
});

export function toDatasetView(dataset: Dataset): z.infer<typeof datasetView> {
  return {
    name: dataset.name,
    project_id: dataset.projectId,
    description: dataset.description,
    latest_version: dataset.latestVersion,
    created_at: dataset.createdAt,
    created_by: dataset.createdBy,
    updated_at: dataset.updatedAt,
  };
}

export function toVersionView(version: DatasetVersion): z.infer<typeof versionView> {
  return {
    version: version.version,
    parent_version: version.parentVersion,
    step: version.step,
    params: version.params,
    source: version.source,
    stats: version.stats,
    item_count: version.itemCount,
    content_hash: version.contentHash,
    created_at: version.createdAt,
    created_by: version.createdBy,
  };
}

export function toItemView(item: StoredItem): z.infer<typeof itemView> {
  return { id: item.id, position: item.position, split: item.split, content_hash: item.contentHash, ...parseBody(item.body) };
}

export function toBuildReportView(report: BuildReport): z.infer<typeof buildReportView> {
  return {
    version: report.version,
    created: report.created,
    content_hash: report.contentHash,
    item_count: report.itemCount,
    accepted: report.accepted,
    rejected: report.rejected,
    rejected_lines: report.rejectedLines,
  };
}

export function actorOf(principal: Principal | undefined): string {
  return principal?.id ?? 'unknown';
}

export async function resolveVersion(
  store: Store,
  name: string,
  ref: z.infer<typeof versionRef> | undefined,
): Promise<{ dataset: Dataset; version: DatasetVersion }> {
  const dataset = await store.datasets.require(name);
  const version = await store.datasets.version(dataset, ref === undefined || ref === 'latest' ? undefined : ref);
  return { dataset, version };
}

/** A principal is needed for calls through the gateway (embeddings are traced under it). */
export function requirePrincipal(principal: Principal | undefined): Principal {
  if (!principal) throw new FenerError('unauthorized', 'this endpoint needs a key');
  return principal;
}
