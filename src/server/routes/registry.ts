/** `/api/registry`: registered models, their immutable versions, aliases and evaluation results. */
import { z } from 'zod';
import { FenerError, modelTasks } from '../../core/index.js';
import { RegistryService } from '../../registry/index.js';
import type { ModelVersion } from '../../store/index.js';
import { defineRoute } from '../api-route.js';
import type { ServerContext } from '../context.js';

export function registryService(context: ServerContext): RegistryService {
  return new RegistryService({ store: context.store, catalog: context.runtime.catalog, groups: context.config.groups });
}

/** Names travel inside `registry:NAME@ALIAS` and `registry/NAME/vN`, so they may not hold `@`, `:` or `/`. */
export const objectName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'use letters, digits, ".", "_" and "-" (at most 100), starting with a letter or digit');
const versionParam = z.coerce.number().int().positive();
const aliasName = objectName.refine((alias) => !/^[0-9]+$/.test(alias), 'an alias cannot be a number: numbers name versions');

const evaluationSchema = z.object({ name: z.string(), metric: z.string(), value: z.number(), at: z.number() });
const modelSchema = z.object({
  name: z.string(),
  project_id: z.string(),
  description: z.string().nullable(),
  created_at: z.number(),
  created_by: z.string(),
  latest_version: z.number().nullable(),
  aliases: z.record(z.string(), z.number()),
});
const versionInput = z
  .object({
    kind: z.enum(['hosted', 'self-hosted', 'fine-tuned', 'quantised']).default('hosted'),
    provider: z.string().min(1).describe('A configured provider id'),
    upstream_model: z.string().min(1),
    price: z.object({ input_per_mtok: z.number().nonnegative(), output_per_mtok: z.number().nonnegative() }).strict(),
    context_window: z.number().int().positive().optional(),
    licence: z.string().min(1).optional(),
    tasks: z.array(z.enum(modelTasks)).min(1).default(['chat']),
    fine_tuned_from: z.string().min(1).optional().describe('MODEL@VERSION in this registry'),
    dataset_version: z.string().min(1).max(500).optional().describe('Free text until datasets are versioned in Fener'),
  })
  .strict();
const versionSchema = versionInput.extend({
  model: z.string(),
  version: z.number(),
  serving_model: z.string().describe('The model name the gateway routes this version by'),
  created_at: z.number(),
  created_by: z.string(),
  evaluations: z.array(evaluationSchema),
});

function versionView(version: ModelVersion): z.infer<typeof versionSchema> {
  return version;
}

const createModel = defineRoute({
  method: 'POST',
  path: '/api/registry/models',
  summary: 'Register a model; its versions are added next',
  tag: 'registry',
  auth: 'admin',
  status: 201,
  body: z
    .object({ name: objectName, project: z.string().min(1).default('default'), description: z.string().max(2000).optional() })
    .strict(),
  response: modelSchema,
  handler: ({ body, principal, context }) => registryService(context).createModel({ ...body, actor: principal!.id }),
});

const listModels = defineRoute({
  method: 'GET',
  path: '/api/registry/models',
  summary: 'List registered models with their aliases',
  tag: 'registry',
  auth: 'admin',
  response: z.object({ data: z.array(modelSchema) }),
  handler: async ({ context }) => ({ data: await context.store.registry.listModels() }),
});

const getModel = defineRoute({
  method: 'GET',
  path: '/api/registry/models/:name',
  summary: 'A registered model with its aliases and versions',
  tag: 'registry',
  auth: 'admin',
  params: z.object({ name: z.string().min(1) }),
  response: modelSchema.extend({ versions: z.array(versionSchema) }),
  async handler({ params, context }) {
    const model = await context.store.registry.getModel(params.name);
    const versions = await context.store.registry.listVersions(params.name);
    if (!model || !versions) throw notFound(params.name);
    return { ...model, versions: versions.map(versionView) };
  },
});

const addVersion = defineRoute({
  method: 'POST',
  path: '/api/registry/models/:name/versions',
  summary: 'Register the next version of a model; it is callable as registry:NAME@VERSION at once',
  tag: 'registry',
  auth: 'admin',
  status: 201,
  params: z.object({ name: z.string().min(1) }),
  body: versionInput,
  response: versionSchema,
  handler: async ({ params, body, principal, context }) =>
    versionView(await registryService(context).addVersion({ model: params.name, version: body, actor: principal!.id })),
});

const getVersion = defineRoute({
  method: 'GET',
  path: '/api/registry/models/:name/versions/:version',
  summary: 'One version of a registered model, with its lineage and evaluations',
  tag: 'registry',
  auth: 'admin',
  params: z.object({ name: z.string().min(1), version: versionParam }),
  response: versionSchema,
  async handler({ params, context }) {
    const version = await context.store.registry.getVersion(params.name, params.version);
    if (!version) throw notFound(params.name, params.version);
    return versionView(version);
  },
});

const moveAlias = defineRoute({
  method: 'PUT',
  path: '/api/registry/models/:name/aliases/:alias',
  summary: 'Point an alias (champion, challenger, …) at a version; checked against the project policy and audited',
  tag: 'registry',
  auth: 'admin',
  params: z.object({ name: z.string().min(1), alias: aliasName }),
  body: z.object({ version: z.number().int().positive() }).strict(),
  response: z.object({ alias: z.string(), version: z.number(), previous: z.number().nullable() }),
  handler: ({ params, body, principal, context }) =>
    registryService(context).moveAlias({ model: params.name, alias: params.alias, version: body.version, actor: principal!.id }),
});

const addEvaluation = defineRoute({
  method: 'POST',
  path: '/api/registry/models/:name/versions/:version/evaluations',
  summary: 'Attach an evaluation result to a version',
  tag: 'registry',
  auth: 'admin',
  status: 201,
  params: z.object({ name: z.string().min(1), version: versionParam }),
  body: z
    .object({ name: z.string().min(1), metric: z.string().min(1), value: z.number(), at: z.number().int().nonnegative().optional() })
    .strict(),
  response: evaluationSchema,
  handler: ({ params, body, principal, context }) =>
    registryService(context).addEvaluation({ model: params.name, version: params.version, evaluation: body, actor: principal!.id }),
});

function notFound(name: string, version?: number): FenerError {
  return version === undefined
    ? new FenerError('not_found', `no registered model named "${name}"`, { param: 'name' })
    : new FenerError('not_found', `registered model "${name}" has no version ${version}`, { param: 'version' });
}

export const registryRoutes = [createModel, listModels, getModel, addVersion, getVersion, moveAlias, addEvaluation];
