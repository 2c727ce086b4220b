/**
 * Prompt files, for prompts kept in a repository: YAML (every field, messages included), or
 * Markdown whose YAML front matter holds the fields and whose body holds the messages as
 * `## system` / `## user` / `## assistant` sections. Writing then reading a file gives back the
 * same content exactly (and so the same hash): a sync of unchanged files creates no version.
 */
import { extname } from 'node:path';
import { parse, stringify } from 'yaml';
import { FenerError } from '../core/index.js';
import { invalidInput, promptRoles, pushSchema, type PromptContent, type PromptRole, type PushInput } from './schema.js';

export type PromptFileFormat = 'yaml' | 'markdown';

export interface PromptFileData {
  name: string;
  content: PromptContent;
  labels: string[];
}

const headingPattern = new RegExp(`^##[ \\t]+(${promptRoles.join('|')})[ \\t]*$`, 'i');

/** `.md` / `.markdown` are Markdown, `.yaml` / `.yml` YAML; anything else is refused. */
export function formatOfPath(path: string): PromptFileFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.md' || extension === '.markdown') return 'markdown';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  throw new FenerError('invalid_request', `${path}: a prompt file ends in .md, .markdown, .yaml or .yml`);
}

export function isPromptFile(path: string): boolean {
  return ['.md', '.markdown', '.yaml', '.yml'].includes(extname(path).toLowerCase());
}

/** Parses and validates a prompt file; errors name the file and the field. */
export function parsePromptFile(text: string, format: PromptFileFormat, source: string): PushInput {
  const normalised = text.replace(/\r\n/g, '\n');
  const raw = format === 'yaml' ? parseYaml(normalised, source) : parseMarkdown(normalised, source);
  const parsed = pushSchema.safeParse(raw);
  if (!parsed.success) {
    const error = invalidInput(parsed.error);
    throw new FenerError('invalid_request', `${source}: ${error.message}`, error.param === undefined ? {} : { param: error.param });
  }
  return parsed.data;
}

function parseYaml(text: string, source: string): unknown {
  try {
    return parse(text) as unknown;
  } catch (error) {
    throw new FenerError('invalid_request', `${source}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parseMarkdown(text: string, source: string): unknown {
  const lines = text.split('\n');
  if (lines[0]?.trim() !== '---')
    throw new FenerError('invalid_request', `${source}: a Markdown prompt starts with YAML front matter ("---")`);
  const close = lines.findIndex((line, index) => index > 0 && line.trim() === '---');
  if (close < 0) throw new FenerError('invalid_request', `${source}: the front matter is not closed by a "---" line`);
  const front = parseYaml(lines.slice(1, close).join('\n'), source) ?? {};
  if (typeof front !== 'object' || Array.isArray(front))
    throw new FenerError('invalid_request', `${source}: the front matter must be a YAML mapping`);
  if ('messages' in front)
    throw new FenerError('invalid_request', `${source}: messages go in the body as "## role" sections, not in the front matter`);
  return { ...front, messages: parseSections(lines.slice(close + 1), source) };
}

/**
 * Splits the body into messages. Exactly one blank line after a heading and one before the next
 * heading (or the end) belong to the layout; everything else is the message, kept as written.
 */
function parseSections(lines: string[], source: string): { role: PromptRole; content: string }[] {
  const messages: { role: PromptRole; lines: string[] }[] = [];
  for (const [index, line] of lines.entries()) {
    const heading = headingPattern.exec(line);
    if (heading) messages.push({ role: (heading[1] ?? '').toLowerCase() as PromptRole, lines: [] });
    else if (messages.length > 0) messages.at(-1)?.lines.push(line);
    else if (line.trim() !== '') {
      throw new FenerError('invalid_request', `${source}: line ${index + 1}: text before the first "## system|user|assistant" heading`);
    }
  }
  return messages.map((message) => {
    const body = message.lines;
    if (body[0] === '') body.shift();
    if (body.at(-1) === '') body.pop();
    return { role: message.role, content: body.join('\n') };
  });
}

/** The messages as Markdown sections (also the text that diffs compare). */
export function messagesToMarkdown(messages: { role: string; content: string }[]): string {
  return messages.map((message) => `## ${message.role}\n\n${message.content}\n`).join('\n');
}

/** The fields as a user would write them: derived or empty values left out. */
function fields(data: PromptFileData): Record<string, unknown> {
  const { content } = data;
  const variables = Object.fromEntries(
    Object.entries(content.variables).map(([name, variable]) => [
      name,
      {
        type: variable.type,
        ...(variable.default === undefined ? {} : { default: variable.default }),
        ...(variable.description === undefined ? {} : { description: variable.description }),
      },
    ]),
  );
  return {
    name: data.name,
    ...(data.labels.length > 0 ? { labels: data.labels } : {}),
    ...(Object.keys(variables).length > 0 ? { variables } : {}),
    ...(Object.keys(content.parameters).length > 0 ? { parameters: content.parameters } : {}),
    ...(content.tools.length > 0 ? { tools: content.tools } : {}),
  };
}

/** Writes a prompt file; refuses Markdown for a message that a section could not hold exactly. */
export function formatPromptFile(data: PromptFileData, format: PromptFileFormat): string {
  if (format === 'yaml') return stringify({ ...fields(data), messages: data.content.messages });
  data.content.messages.forEach((message, index) => {
    if (message.content.split('\n').some((line) => headingPattern.test(line))) {
      throw new FenerError('invalid_request', `message ${index} contains a "## role" line, which Markdown cannot hold: write a .yaml file`);
    }
  });
  return `---\n${stringify(fields(data))}---\n\n${messagesToMarkdown(data.content.messages)}`;
}
