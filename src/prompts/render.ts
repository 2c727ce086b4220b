/** Rendering a stored prompt: the template logic is core's (shared with the SDK); this adds parameters and tools. */
import { renderTemplate } from '../core/index.js';
import type { ChatMessage, ToolDefinition } from '../providers/index.js';
import type { PromptContent, PromptParameters } from './schema.js';

export interface RenderedPrompt {
  messages: ChatMessage[];
  parameters: PromptParameters;
  tools: ToolDefinition[];
}

export interface RenderOptions {
  /** Where the variables came from, for error `param`s (default `fener.variables`, the gateway's body field). */
  param?: string;
}

/**
 * Renders a prompt's messages with `variables`.
 * @example renderPrompt(content, { customer: 'Ada' }) // → { messages: [{ role: 'user', content: 'Hello Ada' }], … }
 * @throws FenerError `invalid_request` (param `fener.variables.NAME`) for a missing, unknown or mistyped variable.
 */
export function renderPrompt(content: PromptContent, variables: unknown, options: RenderOptions = {}): RenderedPrompt {
  const messages = renderTemplate(content, variables, options.param ?? 'fener.variables');
  return { messages, parameters: content.parameters, tools: content.tools };
}
