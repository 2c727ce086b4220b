import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import type { Project } from '../../store/index.js';
import { defineRoute } from '../api-route.js';
import { budgetView, limitsPatch, limitsView, limitViews } from './keys.js';

const projectSchema = z.object({ id: z.string(), name: z.string(), created_at: z.number(), limits: limitsView, budget: budgetView });

function projectView(project: Project): z.infer<typeof projectSchema> {
  return { id: project.id, name: project.name, created_at: project.createdAt, ...limitViews(project) };
}

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
    return projectView(await context.store.projects.create(body.name));
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
    return { data: projects.map(projectView) };
  },
});

const updateProject = defineRoute({
  method: 'PATCH',
  path: '/api/projects/:name',
  summary: "Change a project's rate limits or budget (shared by all of its keys)",
  tag: 'projects',
  auth: 'admin',
  params: z.object({ name: z.string().min(1) }),
  body: limitsPatch,
  response: projectSchema,
  async handler({ params, body, context }) {
    const project = await context.store.projects.update(params.name, body);
    if (!project) throw new FenerError('not_found', `project "${params.name}" does not exist`, { param: 'name' });
    context.authenticator.invalidate();
    return projectView(project);
  },
});

export const projectRoutes = [createProject, listProjects, updateProject];
