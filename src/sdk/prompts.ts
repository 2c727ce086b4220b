/**
 * `PromptClient`: managed prompts from a Fener server, cached in the application's process with
 * stale-while-revalidate, so that reading a prompt on every request costs a map lookup.
 *
 * - fresh (age < `ttlMs`): served from the cache;
 * - stale (age < `ttlMs + staleMs`): served from the cache at once, and refreshed in the background
 *   (one refresh at a time per prompt); a failed refresh keeps the stale value (reported to `onError`);
 * - older, or never fetched: fetched, and the caller waits (concurrent callers share one fetch).
 * At most `maxEntries` prompts are kept, the least recently used dropped first.
 *
 * @example
 * import { PromptClient } from 'fener/sdk';
 * const prompts = new PromptClient({ baseUrl: 'http://127.0.0.1:4000', apiKey: process.env.FENER_ADMIN_KEY! });
 * const prompt = await prompts.get('support-reply', { label: 'production' });
 * const { messages } = prompt.render({ customer: 'Ada' }); // typed variables checked here
 */
import { z } from 'zod';
import { FenerError, renderTemplate, variableTypes, type TemplateMessage } from '../core/index.js';

export interface PromptClientOptions {
  /** The Fener server, e.g. `http://127.0.0.1:4000`. */
  baseUrl: string;
  /** A key allowed to read prompts (today the admin key). */
  apiKey: string;
  /** How long a fetched prompt is fresh (default 60 s). */
  ttlMs?: number;
  /** How long after that a stale prompt is still served while it refreshes (default 5 min). */
  staleMs?: number;
  /** Prompts kept (default 500). */
  maxEntries?: number;
  /** Called with background refresh failures (the stale value keeps being served). */
  onError?: (error: unknown) => void;
  /** For tests: the fetch to use and the clock. */
  fetch?: typeof fetch;
  now?: () => number;
}

/** Which version: a label (default `production`) or a version number. */
export interface PromptSelector {
  label?: string;
  version?: number;
}

const messageSchema = z.object({ role: z.enum(['system', 'developer', 'user', 'assistant']), content: z.string() });
const promptSchema = z.object({
  name: z.string(),
  version: z.number(),
  labels: z.array(z.string()),
  content_hash: z.string(),
  messages: z.array(messageSchema),
  variables: z.record(z.string(), z.object({ type: z.enum(variableTypes), default: z.unknown().optional() }).loose()),
  parameters: z.record(z.string(), z.unknown()),
  tools: z.array(z.record(z.string(), z.unknown())),
});

export type PromptData = z.infer<typeof promptSchema>;

/** A prompt version as the server stores it, with `render` to fill its variables locally. */
export interface Prompt extends PromptData {
  /**
   * Renders the messages with typed variables (a missing, unknown or mistyped one throws a
   * `FenerError` with code `invalid_request`); parameters and tools come as stored.
   */
  render(variables?: Record<string, unknown>): { messages: TemplateMessage[]; parameters: Record<string, unknown>; tools: unknown[] };
}

interface Entry {
  prompt: Prompt;
  fetchedAt: number;
  refreshing?: Promise<void>;
}

export class PromptClient {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Prompt>>();
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: PromptClientOptions) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.staleMs = options.staleMs ?? 300_000;
    this.maxEntries = options.maxEntries ?? 500;
    this.now = options.now ?? Date.now;
    this.fetcher = options.fetch ?? fetch;
  }

  /** The selected version: from the cache when fresh or stale (see the class comment), else fetched. */
  async get(name: string, selector: PromptSelector = {}): Promise<Prompt> {
    const key = cacheKey(name, selector);
    const entry = this.entries.get(key);
    if (entry) {
      const age = this.now() - entry.fetchedAt;
      if (age < this.ttlMs + this.staleMs) {
        // Re-inserting keeps the map in least-recently-used order.
        this.entries.delete(key);
        this.entries.set(key, entry);
        if (age >= this.ttlMs) this.refresh(key, { name, selector }, entry);
        return entry.prompt;
      }
    }
    return this.load(key, name, selector);
  }

  /** Drops every cached prompt. */
  clear(): void {
    this.entries.clear();
  }

  private load(key: string, name: string, selector: PromptSelector): Promise<Prompt> {
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.fetchPrompt(name, selector)
        .then((prompt) => {
          this.store(key, { prompt, fetchedAt: this.now() });
          return prompt;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  private refresh(key: string, target: { name: string; selector: PromptSelector }, entry: Entry): void {
    if (entry.refreshing) return;
    entry.refreshing = this.fetchPrompt(target.name, target.selector)
      .then((prompt) => this.store(key, { prompt, fetchedAt: this.now() }))
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => (entry.refreshing = undefined));
  }

  private store(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  private async fetchPrompt(name: string, selector: PromptSelector): Promise<Prompt> {
    if (selector.label !== undefined && selector.version !== undefined) {
      throw new FenerError('invalid_request', 'give a label or a version, not both', { param: 'version' });
    }
    const path =
      selector.version === undefined
        ? `labels/${encodeURIComponent(selector.label ?? 'production')}`
        : `versions/${encodeURIComponent(String(selector.version))}`;
    const response = await this.fetcher(`${this.options.baseUrl.replace(/\/$/, '')}/api/prompts/${encodeURIComponent(name)}/${path}`, {
      headers: { authorization: `Bearer ${this.options.apiKey}` },
    });
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const message = (body as { error?: { message?: string } } | undefined)?.error?.message ?? `HTTP ${response.status}`;
      throw new FenerError(response.status === 404 ? 'not_found' : 'upstream_error', `fetching prompt "${name}": ${message}`);
    }
    const parsed = promptSchema.safeParse(body);
    if (!parsed.success) throw new FenerError('upstream_error', `fetching prompt "${name}": the server's answer is not a prompt`);
    return toPrompt(parsed.data);
  }
}

function toPrompt(data: PromptData): Prompt {
  return {
    ...data,
    render(variables) {
      const messages = renderTemplate({ messages: data.messages, variables: data.variables }, variables ?? {}, 'variables');
      return { messages, parameters: data.parameters, tools: data.tools };
    },
  };
}

function cacheKey(name: string, selector: PromptSelector): string {
  return selector.version === undefined ? `${name}@${selector.label ?? 'production'}` : `${name}#${selector.version}`;
}
