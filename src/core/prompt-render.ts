/**
 * Rendering a prompt template, pure: shared by the server's prompts module and the SDK (which may
 * import only core). Typed values are checked, then inserted as text in one pass over each
 * template, so a value that itself contains `{{…}}` is never expanded again and nothing is ever
 * evaluated.
 */
import { FenerError } from './errors.js';

export const variableTypes = ['string', 'number', 'boolean', 'json'] as const;
export type VariableType = (typeof variableTypes)[number];

/** `{{ name }}`; anything else between braces is left as text. */
export const placeholderPattern = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export interface TemplateVariable {
  type: VariableType;
  default?: unknown;
}

export interface TemplateMessage {
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string;
}

/** Whether `value` is acceptable for a variable of `type`; json takes any JSON value. */
export function matchesType(type: VariableType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'json':
      return value !== undefined;
  }
}

/**
 * Renders `messages` with `variables` against the declared variables.
 * @example renderTemplate({ messages: [{ role: 'user', content: 'Hi {{name}}' }], variables: { name: { type: 'string' } } }, { name: 'Ada' })
 * @throws FenerError `invalid_request` (param `PARAM.NAME`) for a missing, unknown or mistyped variable.
 */
export function renderTemplate(
  template: { messages: readonly TemplateMessage[]; variables: Readonly<Record<string, TemplateVariable>> },
  variables: unknown,
  param = 'fener.variables',
): TemplateMessage[] {
  const texts = variableTexts(template.variables, variables, param);
  return template.messages.map((message) => ({
    role: message.role,
    content: message.content.replace(placeholderPattern, (_match, name: string) => texts.get(name) ?? ''),
  }));
}

function variableTexts(declared: Readonly<Record<string, TemplateVariable>>, given: unknown, param: string): Map<string, string> {
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
