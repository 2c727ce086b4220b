import { z } from 'zod';
import { defineRoute } from '../api-route.js';

const projectSchema = z.object({ id: z.string(), name: z.string(), created_at: z.number() });

const createProject = defineRoute({
  method: 'POST',
  path: '/api/projects',
  summary: 'Create a project',
  tag: 'projects',
  auth: 'admin',
  status: 201,
  body: z.object({ name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, "-" and "_" (at most 63)') }),
  response: projectSchema,
  async handler({ body, context }) {
    const project = await context.store.projects.create(body.name);
    return { id: project.id, name: project.name, created_at: project.createdAt };
  },
});

const listProjects = defineRoute({
  method: 'GET',
  path: '/api/projects',
  summary: 'List projects',
  tag: 'projects',
  auth: 'admin',
  response: z.object({ data: z.array(projectSchema) }),
  async handler({ context }) {
    const projects = await context.store.projects.list();
    return { data: projects.map((project) => ({ id: project.id, name: project.name, created_at: project.createdAt })) };
  },
});

export const projectRoutes = [createProject, listProjects];
