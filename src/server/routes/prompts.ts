/** `/api/prompts`: push versions, read them, diff them, move labels (with history) and render. */
import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import type { Principal } from '../../identity/index.js';
import {
  diffPrompts,
  diffSections,
  formatDiff,
  getPrompt,
  labelName,
  messageSchema,
  parametersSchema,
  promptName,
  pushPrompt,
  pushSchema,
  renderPrompt,
  toolSchema,
  variableTypes,
  type LoadedPrompt,
} from '../../prompts/index.js';
import type { LabelMove, PromptDetail, Store } from '../../store/index.js';
import { defineRoute } from '../api-route.js';

const versionNumber = z.coerce.number().int().positive('must be a positive version number');
const nameParams = z.object({ name: promptName });
const labelsView = z.record(z.string(), z.number()).describe('label → version');

const variableView = z.object({
  type: z.enum(variableTypes),
  required: z.boolean(),
  default: z.unknown().optional(),
  description: z.string().optional(),
});

const versionView = z.object({
  name: z.string(),
  version: z.number(),
  content_hash: z.string(),
  created_at: z.number(),
  created_by: z.string(),
  labels: z.array(z.string()).describe('labels pointing at this version'),
  messages: z.array(messageSchema),
  variables: z.record(z.string(), variableView),
  parameters: parametersSchema,
  tools: z.array(toolSchema),
});

const moveView = z.object({
  label: z.string(),
  from_version: z.number().nullable(),
  to_version: z.number(),
  at: z.number(),
  actor: z.string().describe('the principal that moved it'),
});

async function labelsOf(store: Store, name: string, version: number): Promise<string[]> {
  const detail = await store.prompts.get(name);
  return Object.entries(detail?.labels ?? {})
    .filter(([, target]) => target === version)
    .map(([label]) => label);
}

function toVersionView(prompt: LoadedPrompt, labels: string[]): z.infer<typeof versionView> {
  return {
    name: prompt.name,
    version: prompt.version,
    content_hash: prompt.contentHash,
    created_at: prompt.createdAt,
    created_by: prompt.createdBy,
    labels,
    ...prompt.content,
  };
}

function toMoveView(move: LabelMove): z.infer<typeof moveView> {
  return { label: move.label, from_version: move.fromVersion, to_version: move.toVersion, at: move.at, actor: move.actor };
}

function actorOf(principal: Principal | undefined): string {
  return principal?.id ?? 'unknown';
}

async function requireDetail(store: Store, name: string): Promise<PromptDetail> {
  const detail = await store.prompts.get(name);
  if (!detail) throw new FenerError('not_found', `no prompt named "${name}"`, { param: 'name' });
  return detail;
}

const pushRoute = defineRoute({
  method: 'POST',
  path: '/api/prompts',
  summary: 'Create a prompt or push a new version; identical content returns the existing version',
  tag: 'prompts',
  auth: 'admin',
  body: pushSchema,
  response: z.object({ created: z.boolean(), version: versionView, moves: z.array(moveView) }),
  async handler({ body, context, principal }) {
    const result = await pushPrompt(context.store, body, actorOf(principal));
    const version = await getPrompt(context.store, body.name, { version: result.version.version });
    const labels = await labelsOf(context.store, body.name, result.version.version);
    return { created: result.created, version: toVersionView(version, labels), moves: result.moves.map(toMoveView) };
  },
});

const summaryView = z.object({
  name: z.string(),
  latest_version: z.number(),
  labels: labelsView,
  created_at: z.number(),
  updated_at: z.number(),
});

const listRoute = defineRoute({
  method: 'GET',
  path: '/api/prompts',
  summary: 'List prompts with their latest version and labels',
  tag: 'prompts',
  auth: 'admin',
  response: z.object({ data: z.array(summaryView) }),
  async handler({ context }) {
    const prompts = await context.store.prompts.list();
    return {
      data: prompts.map((prompt) => ({
        name: prompt.name,
        latest_version: prompt.latestVersion,
        labels: prompt.labels,
        created_at: prompt.createdAt,
        updated_at: prompt.updatedAt,
      })),
    };
  },
});

const getRoute = defineRoute({
  method: 'GET',
  path: '/api/prompts/:name',
  summary: "A prompt's versions (newest first, without content) and labels",
  tag: 'prompts',
  auth: 'admin',
  params: nameParams,
  response: summaryView.extend({
    versions: z.array(z.object({ version: z.number(), content_hash: z.string(), created_at: z.number(), created_by: z.string() })),
  }),
  async handler({ params, context }) {
    const detail = await requireDetail(context.store, params.name);
    return {
      name: detail.name,
      latest_version: detail.latestVersion,
      labels: detail.labels,
      created_at: detail.createdAt,
      updated_at: detail.updatedAt,
      versions: detail.versions.map((version) => ({
        version: version.version,
        content_hash: version.contentHash,
        created_at: version.createdAt,
        created_by: version.createdBy,
      })),
    };
  },
});

const versionParams = z.object({ name: promptName, version: versionNumber });

const getVersionRoute = defineRoute({
  method: 'GET',
  path: '/api/prompts/:name/versions/:version',
  summary: 'One version with its content',
  tag: 'prompts',
  auth: 'admin',
  params: versionParams,
  response: versionView,
  async handler({ params, context }) {
    const prompt = await getPrompt(context.store, params.name, { version: params.version });
    return toVersionView(prompt, await labelsOf(context.store, params.name, params.version));
  },
});

const deleteVersionRoute = defineRoute({
  method: 'DELETE',
  path: '/api/prompts/:name/versions/:version',
  summary: 'Delete a version; refused (409) while a label points at it',
  tag: 'prompts',
  auth: 'admin',
  params: versionParams,
  response: z.object({ name: z.string(), version: z.number(), deleted: z.literal(true) }),
  async handler({ params, context }) {
    await context.store.prompts.deleteVersion(params.name, params.version);
    return { name: params.name, version: params.version, deleted: true as const };
  },
});

const diffLineView = z.object({ op: z.enum(['equal', 'add', 'remove']), text: z.string() });

const diffRoute = defineRoute({
  method: 'GET',
  path: '/api/prompts/:name/diff',
  summary: 'Line diff of two versions: messages, variables, parameters and tools',
  tag: 'prompts',
  auth: 'admin',
  params: nameParams,
  query: z.object({ from: versionNumber, to: versionNumber }),
  response: z.object({
    from: z.number(),
    to: z.number(),
    identical: z.boolean(),
    sections: z.object(Object.fromEntries(diffSections.map((section) => [section, z.array(diffLineView)]))),
    text: z.string().describe('the same diff as unified-style text'),
  }),
  async handler({ params, query, context }) {
    const from = await getPrompt(context.store, params.name, { version: query.from }).catch(renameParam('from'));
    const to = await getPrompt(context.store, params.name, { version: query.to }).catch(renameParam('to'));
    const diff = diffPrompts(from.content, to.content);
    return {
      from: query.from,
      to: query.to,
      ...diff,
      text: formatDiff(diff, `--- ${params.name}@${query.from}\n+++ ${params.name}@${query.to}`),
    };
  },
});

/** A missing version is reported under the query field that named it. */
function renameParam(param: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof FenerError && error.param === 'version') throw new FenerError(error.code, error.message, { param });
    throw error;
  };
}

const labelParams = z.object({ name: promptName, label: labelName });

const getLabelRoute = defineRoute({
  method: 'GET',
  path: '/api/prompts/:name/labels/:label',
  summary: 'The version a label points at, with its content (what the SDK caches)',
  tag: 'prompts',
  auth: 'admin',
  params: labelParams,
  response: versionView,
  async handler({ params, context }) {
    const prompt = await getPrompt(context.store, params.name, { label: params.label });
    return toVersionView(prompt, await labelsOf(context.store, params.name, prompt.version));
  },
});

const setLabelRoute = defineRoute({
  method: 'PUT',
  path: '/api/prompts/:name/labels/:label',
  summary: 'Point a label at a version, or `rollback` it to its previous version; every move is recorded',
  tag: 'prompts',
  auth: 'admin',
  params: labelParams,
  body: z
    .object({
      version: versionNumber.optional().describe('the version to point at'),
      rollback: z.literal(true).optional().describe('move back to the version before the last move'),
    })
    .strict()
    .refine((body) => (body.version === undefined) !== (body.rollback === undefined), {
      message: 'give exactly one of version or rollback',
      path: ['version'],
    }),
  response: z.object({ name: z.string(), label: z.string(), version: z.number(), moved: z.boolean(), move: moveView.nullable() }),
  async handler({ params, body, context, principal }) {
    const actor = actorOf(principal);
    const move =
      body.version === undefined
        ? await context.store.prompts.rollbackLabel({ name: params.name, label: params.label, actor })
        : await context.store.prompts.setLabel({ name: params.name, label: params.label, version: body.version, actor });
    const version = move?.toVersion ?? body.version ?? 0;
    return { name: params.name, label: params.label, version, moved: move !== undefined, move: move ? toMoveView(move) : null };
  },
});

const historyRoute = defineRoute({
  method: 'GET',
  path: '/api/prompts/:name/labels/:label/history',
  summary: 'Every move of a label, newest first',
  tag: 'prompts',
  auth: 'admin',
  params: labelParams,
  response: z.object({ data: z.array(moveView) }),
  async handler({ params, context }) {
    await requireDetail(context.store, params.name);
    const moves = await context.store.prompts.labelHistory(params.name, params.label);
    return { data: moves.map(toMoveView) };
  },
});

const renderRoute = defineRoute({
  method: 'POST',
  path: '/api/prompts/:name/render',
  summary: 'Render a version (by label, default production, or by number) with variables',
  tag: 'prompts',
  auth: 'admin',
  params: nameParams,
  body: z
    .object({
      label: labelName.optional(),
      version: z.number().int().positive().optional(),
      variables: z.record(z.string(), z.unknown()).default({}),
    })
    .strict()
    .refine((body) => body.label === undefined || body.version === undefined, {
      message: 'give a label or a version, not both',
      path: ['version'],
    }),
  response: z.object({
    name: z.string(),
    version: z.number(),
    label: z.string().nullable(),
    messages: z.array(z.object({ role: z.string(), content: z.unknown() })),
    parameters: parametersSchema,
    tools: z.array(toolSchema),
  }),
  async handler({ params, body, context }) {
    const prompt = await getPrompt(context.store, params.name, { label: body.label, version: body.version });
    const rendered = renderPrompt(prompt.content, body.variables, { param: 'variables' });
    return { name: prompt.name, version: prompt.version, label: prompt.label, ...rendered };
  },
});

export const promptRoutes = [
  pushRoute,
  listRoute,
  getRoute,
  getVersionRoute,
  deleteVersionRoute,
  diffRoute,
  getLabelRoute,
  setLabelRoute,
  historyRoute,
  renderRoute,
];
