/** `GET /api/session`: who the presented key is, so a client (the console) knows what it may show. */
import { z } from 'zod';
import { defineRoute } from '../api-route.js';

const session = defineRoute({
  method: 'GET',
  path: '/api/session',
  summary: 'The principal behind the presented key: admin, or a project key with its project',
  tag: 'keys',
  auth: 'key',
  response: z.object({
    key_id: z.string(),
    name: z.string(),
    kind: z.enum(['admin', 'project']),
    project: z.object({ id: z.string(), name: z.string() }).nullable().describe('null for the admin key'),
  }),
  async handler({ principal }) {
    const key = principal!;
    return {
      key_id: key.id,
      name: key.name,
      kind: key.kind,
      project: key.project ? { id: key.project.id, name: key.project.name } : null,
    };
  },
});

export const sessionRoutes = [session];
