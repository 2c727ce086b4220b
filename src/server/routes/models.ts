import { z } from 'zod';
import { FenerError, modelSchema } from '../../core/index.js';
import type { ResolvedModel } from '../../gateway/index.js';
import { defineRoute } from '../api-route.js';

const modelView = z.object({
  name: z.string(),
  provider: z.string(),
  upstream_model: z.string(),
  price: z.object({ input_per_mtok: z.number(), output_per_mtok: z.number(), cached_input_per_mtok: z.number().optional() }),
  context_window: z.number().optional(),
  max_output_tokens: z.number().optional(),
  licence: z.string().optional(),
  tasks: z.array(z.string()),
  source: z.enum(['config', 'api', 'provider-prefix']),
});

function view(model: ResolvedModel): z.infer<typeof modelView> {
  return {
    name: model.name,
    provider: model.providerId,
    upstream_model: model.upstreamModel,
    price: model.price,
    ...(model.contextWindow === undefined ? {} : { context_window: model.contextWindow }),
    ...(model.maxOutputTokens === undefined ? {} : { max_output_tokens: model.maxOutputTokens }),
    ...(model.licence === undefined ? {} : { licence: model.licence }),
    tasks: model.tasks,
    source: model.source,
  };
}

const listModels = defineRoute({
  method: 'GET',
  path: '/api/models',
  summary: 'List models: those in fener.yaml and those added through the API',
  tag: 'models',
  auth: 'admin',
  response: z.object({ data: z.array(modelView) }),
  async handler({ context }) {
    return { data: context.runtime.catalog.list().map(view) };
  },
});

const putModel = defineRoute({
  method: 'POST',
  path: '/api/models',
  summary: 'Add or replace a model (models declared in fener.yaml cannot be changed here)',
  tag: 'models',
  auth: 'admin',
  status: 201,
  body: modelSchema,
  response: modelView,
  async handler({ body, context }) {
    const catalog = context.runtime.catalog;
    if (catalog.isConfigured(body.name)) {
      throw new FenerError('conflict', `model "${body.name}" is declared in the configuration file; change it there`, { param: 'name' });
    }
    if (!catalog.hasProvider(body.provider)) {
      throw new FenerError('invalid_request', `unknown provider "${body.provider}"`, { param: 'provider' });
    }
    await context.store.models.upsert({ ...body, upstream_model: body.upstream_model ?? body.name });
    await catalog.refresh();
    return view(catalog.resolve(body.name, body.tasks[0] ?? 'chat'));
  },
});

const deleteModel = defineRoute({
  method: 'DELETE',
  path: '/api/models/:name',
  summary: 'Remove a model added through the API',
  tag: 'models',
  auth: 'admin',
  params: z.object({ name: z.string().min(1) }),
  response: z.object({ deleted: z.literal(true), name: z.string() }),
  async handler({ params, context }) {
    if (context.runtime.catalog.isConfigured(params.name)) {
      throw new FenerError('conflict', `model "${params.name}" is declared in the configuration file; remove it there`, { param: 'name' });
    }
    if (!(await context.store.models.remove(params.name)))
      throw new FenerError('not_found', `no model named "${params.name}"`, { param: 'name' });
    await context.runtime.catalog.refresh();
    return { deleted: true as const, name: params.name };
  },
});

export const modelRoutes = [listModels, putModel, deleteModel];
