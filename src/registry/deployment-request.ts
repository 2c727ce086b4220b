/**
 * What `model: "deployment:NAME"` becomes: the variant that serves this caller (a canary's
 * sticky split, or the active version), its prompt rendered with `fener.variables`, parameters
 * merged, and its model and fallbacks resolved to routable names.
 *
 * Precedence, field by field (first one set wins):
 *   1. the caller's own request fields (`temperature`, `max_tokens`, `tools`, …);
 *   2. the deployment version's `parameters`;
 *   3. the prompt version's `parameters` (its `model` is ignored: the deployment names the model);
 * messages are the rendered prompt's, followed by the caller's; tools are the caller's, else the
 * prompt's. The model is always the deployment's.
 */
import { FenerError } from '../core/index.js';
import type { ResolvedRequest, ResolverInput } from '../gateway/index.js';
import type { ChatMessage, ChatRequest, ToolDefinition } from '../providers/index.js';
import type { ActiveCanary, ActiveDeployment, DeploymentSpec } from '../store/index.js';
import { chooseVariant } from './canary/split.js';
import { applyParameters } from './parameters.js';

/** A rendered prompt, as the prompts module gives it to deployments (wired by the server). */
export interface RenderedDeploymentPrompt {
  messages: ChatMessage[];
  parameters: Record<string, unknown>;
  tools: ToolDefinition[];
  prompt: { name: string; version: number; label: string | null };
}

export interface DeploymentPromptRenderer {
  /** Renders `reference` (`NAME@LABEL` or `NAME@VERSION`) with the caller's variables; 400 on bad variables, 404 if missing. */
  render(reference: string, variables: unknown): Promise<RenderedDeploymentPrompt>;
}

export interface DeploymentResolution {
  input: ResolverInput;
  name: string;
  deployment: ActiveDeployment;
  canary: ActiveCanary | undefined;
  /** The routable model name of a deployment model reference (registry references resolved). */
  servingModel(reference: string): { model: string; registryVersion?: number };
  prompts: DeploymentPromptRenderer | undefined;
}

interface ServedSpec extends DeploymentSpec {
  version: number;
  variant?: string;
}

function servedSpec(deployment: ActiveDeployment, canary: ActiveCanary | undefined, stickiness: string): ServedSpec {
  if (!canary) return deployment;
  const variant = chooseVariant(canary.variants, stickiness, canary.id);
  return { ...variant, variant: variant.name };
}

export async function resolveDeploymentRequest(resolution: DeploymentResolution): Promise<ResolvedRequest> {
  const { input, name, prompts } = resolution;
  const spec = servedSpec(resolution.deployment, resolution.canary, input.stickiness);
  const primary = resolution.servingModel(spec.model);
  const trace: Record<string, unknown> = { name, version: spec.version, model: spec.model };
  if (primary.registryVersion !== undefined) trace.registry_version = primary.registryVersion;
  if (spec.variant !== undefined && resolution.canary) {
    trace.variant = spec.variant;
    trace.canary = resolution.canary.id;
  }
  const variables = input.controls?.variables;
  let request: ChatRequest;
  if (spec.prompt === null) {
    if (variables !== undefined) {
      throw new FenerError('invalid_request', `deployment "${name}" binds no prompt, so it takes no fener.variables`, {
        param: 'fener.variables',
      });
    }
    request = applyParameters(input.request, spec.parameters);
  } else {
    if (!prompts) throw new FenerError('internal', 'deployments with prompts need the prompts module, which is not running');
    const rendered = await prompts.render(spec.prompt, variables);
    trace.prompt = spec.prompt;
    trace.prompt_version = rendered.prompt.version;
    request = mergePrompt(applyParameters(input.request, spec.parameters), rendered);
  }
  const resolved: ResolvedRequest = { request: { ...request, model: primary.model }, traceMetadata: { deployment: trace } };
  if (spec.fallbacks.length > 0) {
    resolved.fallbacks = spec.fallbacks.map((fallback) => resolution.servingModel(fallback).model);
    resolved.routeName = `deployment:${name}`;
  }
  return resolved;
}

/** Prompt parameters fill what neither the caller nor the deployment set; see the precedence above. */
function mergePrompt(request: ChatRequest, rendered: RenderedDeploymentPrompt): ChatRequest {
  const merged: Record<string, unknown> = { ...request };
  for (const [field, value] of Object.entries(rendered.parameters)) {
    if (field !== 'model' && value !== undefined && merged[field] === undefined) merged[field] = value;
  }
  const result = { ...(merged as unknown as ChatRequest), messages: [...rendered.messages, ...request.messages] };
  if (result.tools === undefined && rendered.tools.length > 0) result.tools = rendered.tools;
  return result;
}
