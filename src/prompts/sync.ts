/**
 * Prompts as code: a directory of prompt files, pushed to the store (only changed content makes
 * versions, since identical content is deduplicated by hash) or written from it.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FenerError } from '../core/index.js';
import type { LabelMove, Store } from '../store/index.js';
import { formatOfPath, formatPromptFile, isPromptFile, parsePromptFile, type PromptFileFormat } from './prompt-file.js';
import { defaultLabel, findPrompt, pushPrompt, type LoadedPrompt } from './prompts.js';
import type { PushInput } from './schema.js';

export interface PromptFileEntry {
  path: string;
  input: PushInput;
}

/** Reads one prompt file (format from its extension). */
export function readPromptFile(path: string, source = path): PushInput {
  return parsePromptFile(readFileSync(path, 'utf8'), formatOfPath(path), source);
}

/** The file text of a loaded version, with the labels that point at it. */
export async function promptFileText(store: Store, prompt: LoadedPrompt, format: PromptFileFormat): Promise<string> {
  const detail = await store.prompts.get(prompt.name);
  const labels = Object.entries(detail?.labels ?? {})
    .filter(([, version]) => version === prompt.version)
    .map(([label]) => label);
  return formatPromptFile({ name: prompt.name, content: prompt.content, labels }, format);
}

/** Every prompt file under `dir`, parsed; one invalid file or a name used twice fails them all. */
export function readPromptDirectory(dir: string): PromptFileEntry[] {
  const paths = (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((path) => isPromptFile(path))
    .sort()
    .map((path) => join(dir, path));
  const entries = paths.map((path) => ({ path, input: readPromptFile(path, relative(dir, path)) }));
  const seen = new Map<string, string>();
  for (const entry of entries) {
    const other = seen.get(entry.input.name);
    if (other !== undefined)
      throw new FenerError('invalid_request', `prompt "${entry.input.name}" is defined twice: ${other} and ${entry.path}`);
    seen.set(entry.input.name, entry.path);
  }
  return entries;
}

export interface PushedFile {
  path: string;
  name: string;
  version: number;
  created: boolean;
  moves: LabelMove[];
}

/** Pushes every file; all files are validated before the first write. */
export async function pushDirectory(store: Store, dir: string, actor: string): Promise<PushedFile[]> {
  const pushed: PushedFile[] = [];
  for (const entry of readPromptDirectory(dir)) {
    const result = await pushPrompt(store, entry.input, actor);
    pushed.push({
      path: entry.path,
      name: entry.input.name,
      version: result.version.version,
      created: result.created,
      moves: result.moves,
    });
  }
  return pushed;
}

export interface PulledFile {
  path: string;
  name: string;
  version: number;
  written: boolean;
}

/**
 * Writes the `production` version of every prompt that has one: into the file that already
 * defines the prompt, else `NAME.md` (`NAME.yaml` when Markdown cannot hold its messages).
 */
export async function pullDirectory(store: Store, dir: string): Promise<PulledFile[]> {
  mkdirSync(dir, { recursive: true });
  const existing = new Map(readPromptDirectory(dir).map((entry) => [entry.input.name, entry.path]));
  const pulled: PulledFile[] = [];
  for (const summary of await store.prompts.list()) {
    const prompt = await findPrompt(store, summary.name, { label: defaultLabel });
    if (!prompt) continue;
    let path = existing.get(prompt.name) ?? join(dir, `${prompt.name}.md`);
    let text: string;
    try {
      text = await promptFileText(store, prompt, formatOfPath(path));
    } catch (error) {
      if (existing.has(prompt.name) || !(error instanceof FenerError)) throw error;
      path = join(dir, `${prompt.name}.yaml`);
      text = await promptFileText(store, prompt, 'yaml');
    }
    const current = existing.has(prompt.name) ? readFileSync(path, 'utf8') : undefined;
    if (current !== text) writeFileSync(path, text);
    pulled.push({ path, name: prompt.name, version: prompt.version, written: current !== text });
  }
  return pulled;
}
