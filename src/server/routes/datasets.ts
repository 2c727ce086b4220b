/**
 * `/api/datasets`: datasets, their versions (with lineage), items page by page, and diffs.
 * Import, export, preparation and embeddings are in dataset-data.ts.
 */
import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import { createDataset } from '../../datasets/index.js';
import { defineRoute } from '../api-route.js';
import { datasetDataRoutes } from './dataset-data.js';
import {
  actorOf,
  datasetName,
  datasetView,
  itemView,
  nameParams,
  resolveVersion,
  splitName,
  toDatasetView,
  toItemView,
  toVersionView,
  versionParams,
  versionRef,
  versionView,
} from './dataset-views.js';

const createRoute = defineRoute({
  method: 'POST',
  path: '/api/datasets',
  summary: 'Create a dataset (empty until a first import, trace selection or item list)',
  tag: 'datasets',
  auth: 'admin',
  status: 201,
  body: z
    .object({
      name: datasetName,
      project: z.string().min(1).optional().describe('project name (default: default)'),
      description: z.string().max(2000).optional(),
    })
    .strict(),
  response: datasetView,
  async handler({ body, context, principal }) {
    const dataset = await createDataset(context.store, {
      name: body.name,
      ...(body.project === undefined ? {} : { projectName: body.project }),
      ...(body.description === undefined ? {} : { description: body.description }),
      actor: actorOf(principal),
    });
    return toDatasetView(dataset);
  },
});

const listRoute = defineRoute({
  method: 'GET',
  path: '/api/datasets',
  summary: 'List datasets',
  tag: 'datasets',
  auth: 'admin',
  query: z.object({ project: z.string().min(1).optional().describe('only this project') }),
  response: z.object({ data: z.array(datasetView) }),
  async handler({ query, context }) {
    let projectId: string | undefined;
    if (query.project !== undefined) {
      const project = await context.store.projects.findByName(query.project);
      if (!project) throw new FenerError('not_found', `project "${query.project}" does not exist`, { param: 'project' });
      projectId = project.id;
    }
    const datasets = await context.store.datasets.list(projectId === undefined ? {} : { projectId });
    return { data: datasets.map(toDatasetView) };
  },
});

const showRoute = defineRoute({
  method: 'GET',
  path: '/api/datasets/:name',
  summary: 'A dataset with its versions, newest first (lineage: parent_version, step, params, source)',
  tag: 'datasets',
  auth: 'admin',
  params: nameParams,
  response: datasetView.extend({ versions: z.array(versionView), pending_versions: z.number().describe('versions being written now') }),
  async handler({ params, context }) {
    const dataset = await context.store.datasets.require(params.name);
    const [versions, pending] = await Promise.all([
      context.store.datasets.versions(dataset.id),
      context.store.datasets.pendingCount(dataset.id),
    ]);
    return { ...toDatasetView(dataset), versions: versions.map(toVersionView), pending_versions: pending };
  },
});

const deleteRoute = defineRoute({
  method: 'DELETE',
  path: '/api/datasets/:name',
  summary: 'Delete a dataset with all its versions, items and vectors (audited)',
  tag: 'datasets',
  auth: 'admin',
  params: nameParams,
  response: z.object({ name: z.string(), deleted: z.literal(true) }),
  async handler({ params, context, principal }) {
    await context.store.datasets.delete(params.name, actorOf(principal));
    return { name: params.name, deleted: true as const };
  },
});

const versionRoute = defineRoute({
  method: 'GET',
  path: '/api/datasets/:name/versions/:version',
  summary: 'One version (a number or `latest`) with its lineage back to the first version',
  tag: 'datasets',
  auth: 'admin',
  params: versionParams,
  response: versionView.extend({ lineage: z.array(versionView).describe('ancestors, nearest first') }),
  async handler({ params, context }) {
    const { dataset, version } = await resolveVersion(context.store, params.name, params.version);
    const lineage = [];
    const seen = new Set([version.version]);
    for (let parent = version.parentVersion; parent !== null && !seen.has(parent);) {
      seen.add(parent);
      const ancestor = await context.store.datasets.version(dataset, parent).catch(() => undefined);
      if (!ancestor) break;
      lineage.push(toVersionView(ancestor));
      parent = ancestor.parentVersion;
    }
    return { ...toVersionView(version), lineage };
  },
});

const itemsRoute = defineRoute({
  method: 'GET',
  path: '/api/datasets/:name/versions/:version/items',
  summary: "A page of a version's items in order; pass `next` back as `after`",
  tag: 'datasets',
  auth: 'admin',
  params: versionParams,
  query: z.object({
    after: z.coerce.number().int().nonnegative().optional().describe('the `next` of the previous page'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    split: splitName.optional(),
  }),
  response: z.object({ data: z.array(itemView), next: z.number().nullable() }),
  async handler({ params, query, context }) {
    const { version } = await resolveVersion(context.store, params.name, params.version);
    const page = await context.store.datasets.items(version.id, {
      limit: query.limit,
      ...(query.after === undefined ? {} : { after: query.after }),
      ...(query.split === undefined ? {} : { split: query.split }),
    });
    return { data: page.data.map(toItemView), next: page.next };
  },
});

const diffKind = z.enum(['added', 'removed', 'changed']);

const diffRoute = defineRoute({
  method: 'GET',
  path: '/api/datasets/:name/diff',
  summary: 'Items added, removed and changed (same id, other content) between two versions',
  tag: 'datasets',
  auth: 'admin',
  params: nameParams,
  query: z.object({
    from: versionRef,
    to: versionRef,
    kind: diffKind.optional().describe('list item ids of this kind (default: counts only)'),
    after: z.string().optional().describe('the last id of the previous page of this kind'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  }),
  response: z.object({
    from: z.number(),
    to: z.number(),
    counts: z.object({ added: z.number(), removed: z.number(), changed: z.number(), unchanged: z.number() }),
    items: z.array(z.object({ id: z.string(), from_hash: z.string().nullable(), to_hash: z.string().nullable() })).optional(),
  }),
  async handler({ params, query, context }) {
    const from = await resolveVersion(context.store, params.name, query.from);
    const to = await resolveVersion(context.store, params.name, query.to);
    const counts = await context.store.datasets.diffCounts(from.version.id, to.version.id);
    const result = { from: from.version.version, to: to.version.version, counts };
    if (query.kind === undefined) return result;
    const entries = await context.store.datasets.diffEntries(from.version.id, to.version.id, {
      kind: query.kind,
      limit: query.limit,
      ...(query.after === undefined ? {} : { afterId: query.after }),
    });
    return { ...result, items: entries.map((entry) => ({ id: entry.id, from_hash: entry.fromHash, to_hash: entry.toHash })) };
  },
});

export const datasetRoutes = [createRoute, listRoute, showRoute, deleteRoute, versionRoute, itemsRoute, diffRoute, ...datasetDataRoutes];
