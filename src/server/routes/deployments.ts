/** `/api/deployments`: named endpoints binding a prompt, a model and parameters; versioned, rolled back, approved. */
import { z } from 'zod';
import { FenerError, type DeploymentVersion, type Deployment } from '../../core/index.js';
import { deploymentParametersSchema } from '../../registry/index.js';
import { defineRoute } from '../api-route.js';
import { objectName, registryService } from './registry.js';

const versionParam = z.coerce.number().int().positive();

const specInput = z
  .object({
    prompt: z.string().min(1).nullable().optional().describe('A prompt reference, e.g. support-reply@production'),
    model: z.string().min(1).describe('A configured model or group name, or registry:NAME@ALIAS'),
    parameters: deploymentParametersSchema.optional().describe('Defaults for the call; a client-set field wins'),
    fallbacks: z.array(z.string().min(1)).max(10).optional().describe('Model names to fall back to'),
    requires_approval: z.boolean().optional().describe('Wait for a second person even if the project policy does not ask for it'),
  })
  .strict();

const versionSchema = z.object({
  version: z.number(),
  prompt: z.string().nullable(),
  model: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  fallbacks: z.array(z.string()),
  status: z.enum(['pending', 'approved', 'candidate']).describe('candidate: a canary variant, serving only its share until promoted'),
  source_version: z.number().nullable(),
  created_at: z.number(),
  created_by: z.string(),
  approved_by: z.string().nullable(),
  activated_at: z.number().nullable(),
}) satisfies z.ZodType<DeploymentVersion>;
const deploymentSchema = z.object({
  name: z.string(),
  project_id: z.string(),
  active_version: z.number().nullable().describe('The version `deployment:NAME` serves; null until one is approved'),
  created_at: z.number(),
  versions: z.array(versionSchema),
}) satisfies z.ZodType<Deployment>;

const createDeployment = defineRoute({
  method: 'POST',
  path: '/api/deployments',
  summary: 'Create a deployment; clients call it as model "deployment:NAME"',
  tag: 'deployments',
  auth: 'admin',
  status: 201,
  body: specInput.extend({ name: objectName, project: z.string().min(1).default('default') }),
  response: deploymentSchema,
  handler: ({ body, principal, context }) => registryService(context).createDeployment({ ...body, actor: principal!.id }),
});

const listDeployments = defineRoute({
  method: 'GET',
  path: '/api/deployments',
  summary: 'List deployments with their versions',
  tag: 'deployments',
  auth: 'admin',
  response: z.object({ data: z.array(deploymentSchema) }),
  handler: async ({ context }) => ({ data: await context.store.deployments.list() }),
});

const getDeployment = defineRoute({
  method: 'GET',
  path: '/api/deployments/:name',
  summary: 'A deployment with every version',
  tag: 'deployments',
  auth: 'admin',
  params: z.object({ name: z.string().min(1) }),
  response: deploymentSchema,
  async handler({ params, context }) {
    const deployment = await context.store.deployments.get(params.name);
    if (!deployment) throw notFound(params.name);
    return deployment;
  },
});

const changeDeployment = defineRoute({
  method: 'POST',
  path: '/api/deployments/:name/versions',
  summary: 'Change a deployment: a new immutable version, serving at once or after approval',
  tag: 'deployments',
  auth: 'admin',
  status: 201,
  params: z.object({ name: z.string().min(1) }),
  body: specInput,
  response: deploymentSchema,
  handler: ({ params, body, principal, context }) =>
    registryService(context).updateDeployment({ ...body, name: params.name, actor: principal!.id }),
});

const rollbackDeployment = defineRoute({
  method: 'POST',
  path: '/api/deployments/:name/rollback',
  summary: 'A new version equal to the previous (or the given) one: prompt, model and parameters together',
  tag: 'deployments',
  auth: 'admin',
  status: 201,
  params: z.object({ name: z.string().min(1) }),
  body: z.object({ version: z.number().int().positive().optional() }).strict().optional(),
  response: deploymentSchema,
  handler: ({ params, body, principal, context }) =>
    registryService(context).rollbackDeployment({
      name: params.name,
      actor: principal!.id,
      ...(body?.version === undefined ? {} : { version: body.version }),
    }),
});

const approveVersion = defineRoute({
  method: 'POST',
  path: '/api/deployments/:name/versions/:version/approve',
  summary: 'Approve a pending version (by a different principal than its author); it serves at once',
  tag: 'deployments',
  auth: 'admin',
  params: z.object({ name: z.string().min(1), version: versionParam }),
  response: deploymentSchema,
  handler: ({ params, principal, context }) =>
    registryService(context).approveDeployment({ name: params.name, version: params.version, actor: principal!.id }),
});

function notFound(name: string): FenerError {
  return new FenerError('not_found', `no deployment named "${name}"`, { param: 'name' });
}

export const deploymentRoutes = [createDeployment, listDeployments, getDeployment, changeDeployment, rollbackDeployment, approveVersion];
