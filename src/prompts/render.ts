/**
 * Rendering: typed values are checked, then inserted as text in one pass over each template, so
 * a value that itself contains `{{…}}` is never expanded again and nothing is ever evaluated.
 */
import { FenerError } from '../core/index.js';
import type { ChatMessage, ToolDefinition } from '../providers/index.js';
import { matchesType, placeholderPattern, type PromptContent, type PromptParameters, type PromptVariable } from './schema.js';

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
  const texts = variableTexts(content.variables, variables, options.param ?? 'fener.variables');
  const messages = content.messages.map((message): ChatMessage => {
    const text = message.content.replace(placeholderPattern, (_match, name: string) => texts.get(name) ?? '');
    return { role: message.role, content: text };
  });
  return { messages, parameters: content.parameters, tools: content.tools };
}

function variableTexts(declared: Record<string, PromptVariable>, given: unknown, param: string): Map<string, string> {
  if (given !== undefined && (given === null || typeof given !== 'object' || Array.isArray(given))) {
    throw new FenerError('invalid_request', `${param} must be an object of variable values`, { param });
  }
  const values = (given ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(declared, name)) {
      const known = Object.keys(declared);
      throw new FenerError(
        'invalid_request',
        `unknown variable "${name}"; this prompt takes ${known.length === 0 ? 'no variables' : known.join(', ')}`,
        { param: `${param}.${name}` },
      );
    }
  }
  const texts = new Map<string, string>();
  for (const [name, variable] of Object.entries(declared)) {
    const value = Object.hasOwn(values, name) ? values[name] : variable.default;
    if (value === undefined) {
      throw new FenerError('invalid_request', `missing required variable "${name}" (${variable.type})`, { param: `${param}.${name}` });
    }
    if (!matchesType(variable.type, value)) {
      throw new FenerError('invalid_request', `variable "${name}" must be a ${variable.type}, got ${describe(value)}`, {
        param: `${param}.${name}`,
      });
    }
    texts.set(name, variable.type === 'json' ? JSON.stringify(value) : String(value));
  }
  return texts;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
