/** The operations the API and the CLI share: push validated content, load a version by label or number. */
import { FenerError } from '../core/index.js';
import type { PromptVersion, PushResult, Store } from '../store/index.js';
import { parseStoredContent, type PromptContent, type PushInput } from './schema.js';

export interface LoadedPrompt {
  name: string;
  version: number;
  /** The label it was looked up by; null when asked for by number. */
  label: string | null;
  content: PromptContent;
  contentHash: string;
  createdAt: number;
  createdBy: string;
}

/** Either a label or a version number; neither means the `production` label. */
export interface VersionSelector {
  label?: string | undefined;
  version?: number | undefined;
}

export const defaultLabel = 'production';

export function pushPrompt(store: Store, input: PushInput, actor: string): Promise<PushResult> {
  const { name, labels, ...content } = input;
  return store.prompts.push({ name, content, ...(labels ? { labels } : {}), actor });
}

export function toLoadedPrompt(version: PromptVersion, label: string | null): LoadedPrompt {
  return {
    name: version.name,
    version: version.version,
    label,
    content: parseStoredContent(version.name, version.version, version.content),
    contentHash: version.contentHash,
    createdAt: version.createdAt,
    createdBy: version.createdBy,
  };
}

/** The selected version, or undefined when the prompt, label or version does not exist. */
export async function findPrompt(store: Store, name: string, selector: VersionSelector): Promise<LoadedPrompt | undefined> {
  if (selector.version !== undefined && selector.label !== undefined) {
    throw new FenerError('invalid_request', 'give a label or a version, not both', { param: 'version' });
  }
  if (selector.version !== undefined) {
    const version = await store.prompts.version(name, selector.version);
    return version && toLoadedPrompt(version, null);
  }
  const label = selector.label ?? defaultLabel;
  const version = await store.prompts.byLabel(name, label);
  return version && toLoadedPrompt(version, label);
}

/** Like `findPrompt`, but a missing prompt, label or version is a `not_found` error that says which. */
export async function getPrompt(store: Store, name: string, selector: VersionSelector): Promise<LoadedPrompt> {
  const found = await findPrompt(store, name, selector);
  if (found) return found;
  if (!(await store.prompts.get(name))) throw new FenerError('not_found', `no prompt named "${name}"`, { param: 'name' });
  if (selector.version !== undefined) {
    throw new FenerError('not_found', `prompt "${name}" has no version ${selector.version}`, { param: 'version' });
  }
  throw new FenerError('not_found', `prompt "${name}" has no label "${selector.label ?? defaultLabel}"`, { param: 'label' });
}
