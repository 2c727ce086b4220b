/**
 * `/api/datasets/:name/…` data movement: streamed import, items from traces or a list, streamed
 * export (plain and fine-tuning formats), fine-tuning validation, preparation pipelines, splits,
 * embeddings and search.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import {
  createVersionFromItems,
  embedVersion,
  exportStream,
  finetuneFormats,
  finetuneStream,
  formatBytes,
  importFromTraces,
  importItems,
  itemContentSchema,
  parsePipeline,
  prepareDataset,
  resolveFinetuneTarget,
  searchVersion,
  splitDataset,
  ratiosAddUp,
  splitShape,
  stepSchema,
  validateFinetune,
  validatePipeline,
  type FinetuneFormat,
  type FinetuneReport,
  type PipelineReport,
} from '../../datasets/index.js';
import { defineRoute } from '../api-route.js';
import type { ServerContext } from '../context.js';
import {
  actorOf,
  buildReportView,
  nameParams,
  requirePrincipal,
  resolveVersion,
  splitName,
  toBuildReportView,
  versionParams,
  versionRef,
} from './dataset-views.js';

const uploadTypes = ['application/x-ndjson', 'application/jsonl', 'text/csv', 'application/octet-stream'];

const importRoute = defineRoute({
  method: 'POST',
  path: '/api/datasets/:name/import',
  summary:
    'Stream a JSONL or CSV file into a new version (at most server.upload_limit_bytes, default 1 GiB); rejected lines are reported with their numbers',
  tag: 'datasets',
  auth: 'admin',
  status: 201,
  rawBody: { contentTypes: uploadTypes, description: 'the file, sent as the request body (curl --data-binary @file)' },
  params: nameParams,
  query: z.object({
    format: z.enum(['jsonl', 'csv']).optional().describe('default: csv for text/csv, else jsonl'),
    keep_valid: z.enum(['true', 'false']).default('false').describe('keep the valid lines when some are rejected'),
    append: z.enum(['true', 'false']).default('false').describe('add to the latest version instead of replacing it'),
    filename: z.string().max(256).optional().describe('recorded as the version source'),
  }),
  response: buildReportView,
  async handler({ params, query, context, principal, request, reply }) {
    // The largest accepted upload: a bigger one is refused from its Content-Length before a byte
    // is read, and a chunked one as soon as it passes the limit (nothing written either way).
    const maxUploadBytes = context.config.server.upload_limit_bytes;
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > maxUploadBytes) {
      throw new FenerError(
        'payload_too_large',
        `the upload (${formatBytes(length)}) is larger than the limit of ${formatBytes(maxUploadBytes)}`,
        {
          headers: { connection: 'close' },
        },
      );
    }
    const dataset = await context.store.datasets.require(params.name);
    const format = query.format ?? (String(request.headers['content-type'] ?? '').startsWith('text/csv') ? 'csv' : 'jsonl');
    try {
      const report = await importItems(context.store, {
        dataset,
        format,
        source: request.body as Readable,
        keepValid: query.keep_valid === 'true',
        append: query.append === 'true',
        limits: { maxBytes: maxUploadBytes },
        sourceInfo: { format, ...(query.filename === undefined ? {} : { name: query.filename }), bytes: length || null },
        actor: actorOf(principal),
      });
      return toBuildReportView(report);
    } catch (error) {
      // The rest of a refused upload is not read: the connection cannot be reused.
      void reply.header('connection', 'close');
      throw error;
    }
  },
});

const tracesRoute = defineRoute({
  method: 'POST',
  path: '/api/datasets/:name/traces',
  summary: 'A new version from the traces that match a filter (request messages → input, answer → expected)',
  tag: 'datasets',
  auth: 'admin',
  status: 201,
  params: nameParams,
  body: z
    .object({
      project: z.string().min(1).optional().describe('project name of the traces'),
      model: z.string().min(1).optional(),
      status: z.enum(['ok', 'error']).default('ok'),
      from: z.number().int().nonnegative().optional().describe('epoch ms, inclusive'),
      to: z.number().int().nonnegative().optional().describe('epoch ms, exclusive'),
      limit: z.number().int().positive().max(10_000_000).optional(),
      append: z.boolean().default(false),
    })
    .strict(),
  response: buildReportView,
  async handler({ params, body, context, principal }) {
    const dataset = await context.store.datasets.require(params.name);
    let projectId: string | undefined;
    if (body.project !== undefined) {
      const project = await context.store.projects.findByName(body.project);
      if (!project) throw new FenerError('not_found', `project "${body.project}" does not exist`, { param: 'project' });
      projectId = project.id;
    }
    const { append, project: _project, ...filter } = body;
    const report = await importFromTraces(context.store, {
      dataset,
      selection: { ...filter, ...(projectId === undefined ? {} : { projectId }) },
      append,
      actor: actorOf(principal),
    });
    return toBuildReportView(report);
  },
});

const itemsRoute = defineRoute({
  method: 'POST',
  path: '/api/datasets/:name/items',
  summary: 'A new version from a list of items (appended to the latest version with append: true); all or nothing',
  tag: 'datasets',
  auth: 'admin',
  status: 201,
  params: nameParams,
  body: z
    .object({
      items: z
        .array(itemContentSchema.extend({ id: z.string().optional(), split: splitName.nullable().optional() }))
        .min(1)
        .max(10_000),
      append: z.boolean().default(false),
    })
    .strict(),
  response: buildReportView,
  async handler({ params, body, context, principal }) {
    const dataset = await context.store.datasets.require(params.name);
    const base = body.append && dataset.latestVersion > 0 ? await context.store.datasets.version(dataset) : undefined;
    const report = await createVersionFromItems(context.store, {
      dataset,
      ...(base ? { base } : {}),
      step: 'items',
      source: { kind: 'api', count: body.items.length },
      items: body.items.map(({ id, split, ...content }) => ({
        ...(id === undefined ? {} : { id }),
        ...(split === undefined ? {} : { split }),
        content,
      })),
      actor: actorOf(principal),
    });
    return toBuildReportView(report);
  },
});

const finetuneQuery = {
  model: z.string().min(1).optional().describe('target model (fine-tuning formats): its context window bounds each example'),
  epochs: z.coerce.number().int().min(1).max(100).default(3),
  training_price_per_mtok: z.coerce
    .number()
    .nonnegative()
    .optional()
    .describe('USD per million training tokens (default: built-in list price, if known)'),
};

async function finetuneOptions(
  context: ServerContext,
  input: {
    versionId: string;
    format: FinetuneFormat;
    model: string | undefined;
    epochs: number;
    price: number | undefined;
    split: z.infer<typeof splitName> | undefined;
  },
) {
  if (input.model === undefined) throw new FenerError('invalid_request', `model: required for format ${input.format}`, { param: 'model' });
  const target = await resolveFinetuneTarget({
    config: context.config,
    store: context.store,
    model: input.model,
    trainingPricePerMtok: input.price,
  });
  return { versionId: input.versionId, format: input.format, target, epochs: input.epochs, ...(input.split ? { split: input.split } : {}) };
}

const exportRoute = defineRoute({
  method: 'GET',
  path: '/api/datasets/:name/versions/:version/export',
  summary: 'Download a version as a stream: jsonl, csv, or a validated fine-tuning format (valid examples only)',
  tag: 'datasets',
  auth: 'admin',
  produces: ['application/x-ndjson', 'text/csv'],
  params: versionParams,
  query: z.object({ format: z.enum(['jsonl', 'csv', ...finetuneFormats]).default('jsonl'), split: splitName.optional(), ...finetuneQuery }),
  response: z.string().describe('the file'),
  async handler({ params, query, context, reply }) {
    const { dataset, version } = await resolveVersion(context.store, params.name, params.version);
    const extension = query.format === 'csv' ? 'csv' : 'jsonl';
    void reply
      .type(query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="${dataset.name}-v${version.version}-${query.format}.${extension}"`);
    if (query.format === 'jsonl' || query.format === 'csv') {
      return exportStream(context.store, query.format, {
        versionId: version.id,
        ...(query.split ? { split: query.split } : {}),
      }) as unknown as string;
    }
    const options = await finetuneOptions(context, {
      versionId: version.id,
      format: query.format,
      model: query.model,
      epochs: query.epochs,
      price: query.training_price_per_mtok,
      split: query.split,
    });
    return finetuneStream(context.store, options).stream as unknown as string;
  },
});

const reportView = z.object({
  format: z.enum(finetuneFormats),
  model: z.string(),
  examples: z.number().describe('valid examples'),
  invalid: z.number(),
  problems: z.array(z.object({ id: z.string(), reason: z.string() })).describe('the first 100 invalid items'),
  tokens: z.object({ total: z.number(), min: z.number(), max: z.number(), mean: z.number() }),
  context_window: z.number().nullable(),
  context_source: z.string(),
  epochs: z.number(),
  training_tokens: z.number(),
  price_per_mtok: z.number().nullable(),
  price_source: z.string().describe('where the training price came from'),
  estimated_cost_usd: z.number().nullable(),
});

function toReportView(report: FinetuneReport): z.infer<typeof reportView> {
  return {
    format: report.format,
    model: report.model,
    examples: report.examples,
    invalid: report.invalid,
    problems: report.problems,
    tokens: report.tokens,
    context_window: report.contextWindow,
    context_source: report.contextSource,
    epochs: report.epochs,
    training_tokens: report.trainingTokens,
    price_per_mtok: report.pricePerMtok,
    price_source: report.priceSource,
    estimated_cost_usd: report.estimatedCostUsd,
  };
}

const validateRoute = defineRoute({
  method: 'POST',
  path: '/api/datasets/:name/versions/:version/finetune/validate',
  summary: 'Validate a version for fine-tuning: roles, token counts against the target context window, token and cost estimate',
  tag: 'datasets',
  auth: 'admin',
  params: versionParams,
  body: z
    .object({
      format: z.enum(finetuneFormats).default('openai-chat'),
      model: z.string().min(1),
      epochs: z.number().int().min(1).max(100).default(3),
      training_price_per_mtok: z.number().nonnegative().optional(),
      split: splitName.optional(),
    })
    .strict(),
  response: reportView,
  async handler({ params, body, context }) {
    const { version } = await resolveVersion(context.store, params.name, params.version);
    const options = await finetuneOptions(context, {
      versionId: version.id,
      format: body.format,
      model: body.model,
      epochs: body.epochs,
      price: body.training_price_per_mtok,
      split: body.split,
    });
    return toReportView(await validateFinetune(context.store, options));
  },
});

const pipelineView = z.object({
  from_version: z.number(),
  final_version: z.number(),
  steps: z.array(
    z.object({
      step: z.string(),
      version: z.number(),
      created: z.boolean(),
      item_count: z.number(),
      dropped: z.number(),
      stats: z.record(z.string(), z.unknown()),
    }),
  ),
});

function toPipelineView(report: PipelineReport): z.infer<typeof pipelineView> {
  return {
    from_version: report.fromVersion,
    final_version: report.finalVersion,
    steps: report.steps.map((step) => ({ ...step, item_count: step.itemCount })).map(({ itemCount: _count, ...step }) => step),
  };
}

const prepareRoute = defineRoute({
  method: 'POST',
  path: '/api/datasets/:name/prepare',
  summary: 'Run a preparation pipeline over a version; each step records a new version',
  tag: 'datasets',
  auth: 'admin',
  status: 201,
  params: nameParams,
  body: z
    .object({
      version: versionRef.optional().describe('input version (default latest)'),
      steps: z.array(stepSchema).optional().describe('the pipeline as JSON'),
      pipeline_yaml: z.string().max(100_000).optional().describe('or the pipeline as a YAML document ({steps: [...]})'),
    })
    .strict()
    .refine((body) => (body.steps === undefined) !== (body.pipeline_yaml === undefined), {
      message: 'give steps or pipeline_yaml',
      path: ['steps'],
    }),
  response: pipelineView,
  async handler({ params, body, context, principal }) {
    const pipeline = body.pipeline_yaml !== undefined ? parsePipeline(body.pipeline_yaml) : validatePipeline({ steps: body.steps });
    const dataset = await context.store.datasets.require(params.name);
    const report = await prepareDataset(context.store, {
      dataset,
      ...(body.version === undefined || body.version === 'latest' ? {} : { version: body.version }),
      pipeline,
      actor: actorOf(principal),
    });
    return toPipelineView(report);
  },
});

const splitRoute = defineRoute({
  method: 'POST',
  path: '/api/datasets/:name/split',
  summary: 'Assign train / validation / test by seed and item id (stable across versions); records a new version',
  tag: 'datasets',
  auth: 'admin',
  status: 201,
  params: nameParams,
  body: z
    .object({ version: versionRef.optional(), ...splitShape })
    .strict()
    .refine(ratiosAddUp, { message: 'train + validation + test must add up to 1', path: ['train'] }),
  response: pipelineView,
  async handler({ params, body, context, principal }) {
    const { version, ...split } = body;
    const dataset = await context.store.datasets.require(params.name);
    const report = await splitDataset(context.store, {
      dataset,
      ...(version === undefined || version === 'latest' ? {} : { version }),
      params: split,
      actor: actorOf(principal),
    });
    return toPipelineView(report);
  },
});

const embedRoute = defineRoute({
  method: 'POST',
  path: '/api/datasets/:name/versions/:version/embed',
  summary: "Embed a version's items with an embedding model of the gateway (traced); vectors are kept per content and model",
  tag: 'datasets',
  auth: 'admin',
  params: versionParams,
  body: z.object({ model: z.string().min(1), batch_size: z.number().int().min(1).max(2048).default(64) }).strict(),
  response: z.object({
    model: z.string(),
    items: z.number(),
    embedded: z.number().describe('vectors computed now'),
    reused: z.number().describe('items whose content already had a vector'),
    dimensions: z.number().nullable(),
    calls: z.number(),
    trace_ids: z.array(z.string()).describe('the first gateway traces of the run'),
  }),
  async handler({ params, body, context, principal }) {
    const { dataset, version } = await resolveVersion(context.store, params.name, params.version);
    const report = await embedVersion({
      store: context.store,
      gateway: context.runtime.gateway,
      principal: requirePrincipal(principal),
      dataset,
      version,
      model: body.model,
      batchSize: body.batch_size,
    });
    const { traceIds, ...rest } = report;
    return { ...rest, trace_ids: traceIds };
  },
});

const searchRoute = defineRoute({
  method: 'POST',
  path: '/api/datasets/:name/versions/:version/search',
  summary: 'Cosine top-k over the stored vectors of a version (exact, brute force); the query is embedded through the gateway',
  tag: 'datasets',
  auth: 'admin',
  params: versionParams,
  body: z.object({ model: z.string().min(1), query: z.string().min(1), k: z.number().int().min(1).max(100).default(10) }).strict(),
  response: z.object({ hits: z.array(z.object({ id: z.string(), score: z.number() })), searched: z.number(), trace_id: z.string() }),
  async handler({ params, body, context, principal }) {
    const { dataset, version } = await resolveVersion(context.store, params.name, params.version);
    const result = await searchVersion({
      store: context.store,
      gateway: context.runtime.gateway,
      principal: requirePrincipal(principal),
      dataset,
      version,
      model: body.model,
      query: body.query,
      k: body.k,
    });
    return { hits: result.hits, searched: result.searched, trace_id: result.traceId };
  },
});

export const datasetDataRoutes = [
  importRoute,
  tracesRoute,
  itemsRoute,
  exportRoute,
  validateRoute,
  prepareRoute,
  splitRoute,
  embedRoute,
  searchRoute,
];
