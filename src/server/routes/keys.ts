import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import { budgetPeriods, type ApiKey, type Budget, type RateLimits } from '../../store/index.js';
import { defineRoute } from '../api-route.js';

const rpmInput = z.number().int('must be a whole number').positive('must be a positive number of requests per minute');
const tpmInput = z.number().int('must be a whole number').positive('must be a positive number of tokens per minute');

/** `limits` when creating: absent fields mean no limit. */
export const limitsInput = z.object({ rpm: rpmInput.optional(), tpm: tpmInput.optional() }).strict();
export const budgetInput = z
  .object({
    usd: z.number().positive('must be a positive amount of USD'),
    period: z.enum(budgetPeriods).describe('UTC day, UTC month, or the whole lifetime'),
  })
  .strict();

/** A change of limits: a value sets, `null` removes, an absent field is left alone. */
export const limitsPatch = z
  .object({
    limits: z.object({ rpm: rpmInput.nullable().optional(), tpm: tpmInput.nullable().optional() }).strict().optional(),
    budget: budgetInput.nullable().optional().describe('null removes the budget'),
  })
  .strict();

export const limitsView = z.object({ rpm: z.number().nullable(), tpm: z.number().nullable() });
export const budgetView = z.object({ usd: z.number(), period: z.enum(budgetPeriods) }).nullable();

export function limitViews(settings: { limits?: RateLimits; budget?: Budget }): {
  limits: z.infer<typeof limitsView>;
  budget: Budget | null;
} {
  return { limits: { rpm: settings.limits?.rpm ?? null, tpm: settings.limits?.tpm ?? null }, budget: settings.budget ?? null };
}

export const keySchema = z.object({
  id: z.string(),
  project_id: z.string().nullable(),
  name: z.string(),
  kind: z.enum(['admin', 'project']),
  hint: z.string(),
  created_at: z.number(),
  revoked_at: z.number().nullable(),
  limits: limitsView,
  budget: budgetView,
});

export function keyView(key: ApiKey): z.infer<typeof keySchema> {
  return {
    id: key.id,
    project_id: key.projectId,
    name: key.name,
    kind: key.kind,
    hint: key.hint,
    created_at: key.createdAt,
    revoked_at: key.revokedAt,
    ...limitViews(key),
  };
}

const createKey = defineRoute({
  method: 'POST',
  path: '/api/keys',
  summary: 'Create a virtual API key for a project; the key is returned once',
  tag: 'keys',
  auth: 'admin',
  status: 201,
  body: z.object({
    name: z.string().min(1).max(200),
    project: z.string().min(1).default('default').describe('Project name'),
    limits: limitsInput.optional().describe('Requests and tokens per minute for this key'),
    budget: budgetInput.optional().describe('Spending cap in USD per period for this key'),
  }),
  response: keySchema.extend({ key: z.string().describe('The secret; shown only in this response') }),
  async handler({ body, context, principal }) {
    const project = await context.store.projects.findByName(body.project);
    if (!project) throw new FenerError('not_found', `project "${body.project}" does not exist`, { param: 'project' });
    const { key, secret } = await context.store.keys.create({
      projectId: project.id,
      name: body.name,
      kind: 'project',
      ...(principal ? { actor: principal.id } : {}),
      ...(body.limits ? { limits: body.limits } : {}),
      ...(body.budget ? { budget: body.budget } : {}),
    });
    context.authenticator.invalidate();
    return { ...keyView(key), key: secret };
  },
});

const listKeys = defineRoute({
  method: 'GET',
  path: '/api/keys',
  summary: 'List API keys (never their secrets)',
  tag: 'keys',
  auth: 'admin',
  query: z.object({
    project: z.string().optional().describe('Project name'),
    include_revoked: z.enum(['true', 'false']).optional(),
  }),
  response: z.object({ data: z.array(keySchema) }),
  async handler({ query, context }) {
    let projectId: string | undefined;
    if (query.project !== undefined) {
      const project = await context.store.projects.findByName(query.project);
      if (!project) throw new FenerError('not_found', `project "${query.project}" does not exist`, { param: 'project' });
      projectId = project.id;
    }
    const keys = await context.store.keys.list({
      ...(projectId ? { projectId } : {}),
      kind: 'project',
      includeRevoked: query.include_revoked === 'true',
    });
    return { data: keys.map(keyView) };
  },
});

const revokeKey = defineRoute({
  method: 'DELETE',
  path: '/api/keys/:id',
  summary: 'Revoke a key; every process refuses it from then on',
  tag: 'keys',
  auth: 'admin',
  params: z.object({ id: z.string().min(1) }),
  response: keySchema,
  async handler({ params, context, principal }) {
    const existing = await context.store.keys.get(params.id);
    if (!existing || existing.kind !== 'project') throw new FenerError('not_found', `no key with id "${params.id}"`, { param: 'id' });
    const key = await context.store.keys.revoke(params.id, principal?.id);
    context.authenticator.invalidate();
    return keyView(key ?? existing);
  },
});

const updateKey = defineRoute({
  method: 'PATCH',
  path: '/api/keys/:id',
  summary: "Change a key's rate limits or budget; every process applies them within a second",
  tag: 'keys',
  auth: 'admin',
  params: z.object({ id: z.string().min(1) }),
  body: limitsPatch,
  response: keySchema,
  async handler({ params, body, context, principal }) {
    const existing = await context.store.keys.get(params.id);
    if (!existing || existing.kind !== 'project') throw new FenerError('not_found', `no key with id "${params.id}"`, { param: 'id' });
    const key = await context.store.keys.update(params.id, body, principal?.id);
    context.authenticator.invalidate();
    return keyView(key ?? existing);
  },
});

export const keyRoutes = [createKey, listKeys, updateKey, revokeKey];
