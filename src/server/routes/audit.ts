/** Governance over `/api`: the hash-chained audit log and per-project policies. */
import { z } from 'zod';
import type { AuditEntry } from '../../core/index.js';
import { policySchema } from '../../registry/index.js';
import { defineRoute } from '../api-route.js';
import { registryService } from './registry.js';

const entrySchema = z.object({
  id: z.string(),
  seq: z.number(),
  at: z.number(),
  actor: z.string().describe('The key id of the principal, `key_environment` for FENER_ADMIN_KEY'),
  action: z.string(),
  object_type: z.string(),
  object_id: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  hash: z.string(),
}) satisfies z.ZodType<AuditEntry>;
const epochMs = z.coerce.number().int().nonnegative();

const listAudit = defineRoute({
  method: 'GET',
  path: '/api/audit',
  summary: 'The audit log, newest first',
  tag: 'governance',
  auth: 'admin',
  query: z.object({
    object_type: z.string().optional(),
    object_id: z.string().optional(),
    actor: z.string().optional(),
    from: epochMs.optional().describe('Epoch ms, inclusive'),
    to: epochMs.optional().describe('Epoch ms, exclusive'),
    cursor: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  }),
  response: z.object({ data: z.array(entrySchema), next_cursor: z.string().nullable() }),
  handler: ({ query, context }) =>
    context.store.audit.list({
      limit: query.limit,
      ...(query.object_type === undefined ? {} : { objectType: query.object_type }),
      ...(query.object_id === undefined ? {} : { objectId: query.object_id }),
      ...(query.actor === undefined ? {} : { actor: query.actor }),
      ...(query.from === undefined ? {} : { from: query.from }),
      ...(query.to === undefined ? {} : { to: query.to }),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    }),
});

const verifyAudit = defineRoute({
  method: 'GET',
  path: '/api/audit/verify',
  summary: 'Walk the hash chain and report the first entry that does not match',
  tag: 'governance',
  auth: 'admin',
  response: z.object({
    ok: z.boolean(),
    checked: z.number(),
    head: z.string().nullable(),
    broken: z.object({ seq: z.number(), reason: z.string() }).optional(),
  }),
  handler: ({ context }) => context.store.audit.verify(),
});

const getPolicy = defineRoute({
  method: 'GET',
  path: '/api/policies/:project',
  summary: "A project's governance policy (absent lists allow everything)",
  tag: 'governance',
  auth: 'admin',
  params: z.object({ project: z.string().min(1) }),
  response: policySchema,
  handler: ({ params, context }) => registryService(context).getPolicy(params.project),
});

const putPolicy = defineRoute({
  method: 'PUT',
  path: '/api/policies/:project',
  summary: "Replace a project's governance policy; audited",
  tag: 'governance',
  auth: 'admin',
  params: z.object({ project: z.string().min(1) }),
  body: policySchema,
  response: policySchema,
  handler: ({ params, body, principal, context }) =>
    registryService(context).putPolicy({ project: params.project, policy: body, actor: principal!.id }),
});

export const auditRoutes = [listAudit, verifyAudit, getPolicy, putPolicy];
