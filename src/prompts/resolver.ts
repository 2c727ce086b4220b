/**
 * `model: "prompt:NAME@LABEL"` (or `@3`, or no suffix for `production`) in a chat request: the
 * labelled version is rendered with the body's `fener.variables`, and the request goes on with
 * the prompt's model and parameters — the client's own fields win. Versions are held in memory
 * and dropped when the `prompts` revision moves, so the hot path reads the database only on a miss.
 */
import { FenerError } from '../core/index.js';
import type { RequestResolver, ResolvedRequest, ResolverInput } from '../gateway/index.js';
import type { ChatRequest } from '../providers/index.js';
import { RevisionWatcher, type Store } from '../store/index.js';
import { defaultLabel, findPrompt, type LoadedPrompt, type VersionSelector } from './prompts.js';
import { renderPrompt, type RenderedPrompt } from './render.js';
import { labelPattern, promptNamePattern } from './schema.js';

export const promptPrefix = 'prompt:';

export interface PromptReference {
  name: string;
  selector: VersionSelector;
}

/** `support-reply@production` → name and label; `support-reply@3` → name and version. */
export function parsePromptReference(text: string): PromptReference | undefined {
  const at = text.lastIndexOf('@');
  const name = at < 0 ? text : text.slice(0, at);
  const suffix = at < 0 ? defaultLabel : text.slice(at + 1);
  if (!promptNamePattern.test(name)) return undefined;
  if (/^[1-9][0-9]{0,8}$/.test(suffix)) return { name, selector: { version: Number(suffix) } };
  if (labelPattern.test(suffix)) return { name, selector: { label: suffix } };
  return undefined;
}

export interface PromptResolverOptions {
  /** How often prompt changes made by any process are picked up (default 100 ms). */
  pollIntervalMs?: number;
  onError?(error: unknown): void;
}

/** Cached lookups, misses included, so unknown names do not reach the database on every call. */
const maxCachedEntries = 10_000;

export class PromptResolver implements RequestResolver {
  readonly prefix = promptPrefix;
  private readonly cache = new Map<string, Promise<LoadedPrompt | undefined>>();
  private readonly watcher: RevisionWatcher;
  private watching: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    options: PromptResolverOptions = {},
  ) {
    this.watcher = new RevisionWatcher(store.revisions, {
      intervalMs: options.pollIntervalMs ?? 100,
      onChange: (topic) => {
        if (topic === 'prompts') this.cache.clear();
      },
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  /** Starts watching for changes; `resolve` also starts it on first use. */
  start(): Promise<void> {
    this.watching ??= this.stopped ? Promise.resolve() : this.watcher.start();
    return this.watching;
  }

  stop(): void {
    this.stopped = true;
    this.watcher.stop();
  }

  /** Drops every cached version now (after a change made in this process). */
  invalidate(): void {
    this.cache.clear();
  }

  async resolve(input: ResolverInput): Promise<ResolvedRequest> {
    const prompt = await this.load(input.request.model.slice(this.prefix.length), input.request.model);
    const rendered = renderPrompt(prompt.content, input.controls?.variables);
    return {
      request: mergeRequest(rendered, input.request, prompt),
      traceMetadata: { prompt: { name: prompt.name, version: prompt.version, label: prompt.label } },
    };
  }

  /**
   * Renders `NAME@LABEL` (or `NAME@VERSION`) for a deployment, from the same cache: the messages,
   * parameters and tools, and which version answered. Deployments decide how they merge.
   */
  async render(
    reference: string,
    variables: unknown,
  ): Promise<RenderedPrompt & { prompt: { name: string; version: number; label: string | null } }> {
    const prompt = await this.load(reference, `prompt ${reference}`);
    return { ...renderPrompt(prompt.content, variables), prompt: { name: prompt.name, version: prompt.version, label: prompt.label } };
  }

  private async load(text: string, shownAs: string): Promise<LoadedPrompt> {
    const reference = parsePromptReference(text);
    if (!reference) {
      throw new FenerError(
        'model_not_found',
        `"${shownAs}" is not a prompt name; use prompt:NAME, prompt:NAME@LABEL or prompt:NAME@VERSION`,
        {
          param: 'model',
        },
      );
    }
    const prompt = await this.lookup(text, reference);
    if (!prompt) {
      const { name, selector } = reference;
      const which = selector.version === undefined ? `label "${selector.label ?? defaultLabel}"` : `version ${selector.version}`;
      throw new FenerError('model_not_found', `The prompt \`${name}\` with ${which} does not exist.`, { param: 'model' });
    }
    return prompt;
  }

  private lookup(key: string, reference: PromptReference): Promise<LoadedPrompt | undefined> {
    void this.start().catch(() => {
      this.watching = undefined;
    });
    let pending = this.cache.get(key);
    if (!pending) {
      if (this.cache.size >= maxCachedEntries) this.cache.clear();
      pending = findPrompt(this.store, reference.name, reference.selector);
      this.cache.set(key, pending);
      // A failed read is not remembered: the next call tries again.
      pending.catch(() => {
        if (this.cache.get(key) === pending) this.cache.delete(key);
      });
    }
    return pending;
  }
}

/** The rendered messages first, then the client's; prompt parameters fill only the fields the client left out. */
export function mergeRequest(rendered: RenderedPrompt, request: ChatRequest, prompt: LoadedPrompt): ChatRequest {
  const { model, ...parameters } = rendered.parameters;
  if (model === undefined) {
    throw new FenerError('invalid_request', `prompt "${prompt.name}" version ${prompt.version} sets no parameters.model to call`, {
      param: 'model',
    });
  }
  // Parameter names are ChatRequest fields of the same types; this assignment checks that they stay so.
  const defaults: Partial<ChatRequest> = parameters;
  const unset = Object.entries(defaults).filter(
    ([field, value]) => value !== undefined && request[field as keyof ChatRequest] === undefined,
  );
  const merged: ChatRequest = {
    ...request,
    ...(Object.fromEntries(unset) as Partial<ChatRequest>),
    model,
    messages: [...rendered.messages, ...request.messages],
  };
  if (merged.tools === undefined && rendered.tools.length > 0) merged.tools = rendered.tools;
  return merged;
}
