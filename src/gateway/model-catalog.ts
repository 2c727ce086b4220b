/**
 * Which models exist and how to reach them: models from `fener.yaml`, models added through
 * `/api/models`, and `<provider>/<upstream model>` names for any configured provider. Held in
 * memory and reloaded when the `models` revision moves, so resolving a name never waits on I/O.
 */
import { FenerError, type FenerConfig, type ModelPrice, type ModelTask } from '../core/index.js';
import type { Provider } from '../providers/index.js';
import type { Store, StoredModel } from '../store/index.js';
import { knownPrice } from './known-prices.js';

export interface ResolvedModel {
  name: string;
  providerId: string;
  provider: Provider;
  upstreamModel: string;
  price: ModelPrice;
  contextWindow?: number;
  maxOutputTokens?: number;
  licence?: string;
  tasks: ModelTask[];
  /** Requests and tokens per minute across all keys (from `fener.yaml`). */
  limits?: { rpm?: number; tpm?: number };
  source: 'config' | 'api' | 'provider-prefix';
}

export class ModelCatalog {
  private models = new Map<string, ResolvedModel>();
  private readonly adHoc = new Map<string, ResolvedModel>();

  constructor(
    private readonly config: FenerConfig,
    private readonly providers: ReadonlyMap<string, Provider>,
    private readonly store: Store,
  ) {}

  /** Loads the models stored through the API and merges them with the configured ones. */
  async refresh(): Promise<void> {
    const next = new Map<string, ResolvedModel>();
    for (const stored of await this.store.models.list()) {
      const resolved = this.fromDeclaration(stored, 'api');
      if (resolved) next.set(resolved.name, resolved);
    }
    // Config wins over the API: what is declared as code is what runs.
    for (const declared of this.config.models) {
      const resolved = this.fromDeclaration(declared, 'config');
      if (resolved) next.set(resolved.name, resolved);
    }
    this.models = next;
  }

  private fromDeclaration(model: FenerConfig['models'][number] | StoredModel, source: 'config' | 'api'): ResolvedModel | undefined {
    const provider = this.providers.get(model.provider);
    if (!provider) return undefined; // an API model whose provider was removed from the config
    const resolved: ResolvedModel = {
      name: model.name,
      providerId: model.provider,
      provider,
      upstreamModel: model.upstream_model ?? model.name,
      price: model.price,
      tasks: model.tasks,
      source,
    };
    if (model.context_window !== undefined) resolved.contextWindow = model.context_window;
    if (model.max_output_tokens !== undefined) resolved.maxOutputTokens = model.max_output_tokens;
    if (model.licence !== undefined) resolved.licence = model.licence;
    if ('limits' in model && model.limits !== undefined) resolved.limits = model.limits;
    return resolved;
  }

  isConfigured(name: string): boolean {
    return this.config.models.some((model) => model.name === name);
  }

  hasProvider(id: string): boolean {
    return this.providers.has(id);
  }

  /** Finds a model for a task or throws OpenAI's 404 `model_not_found`. */
  resolve(name: string, task: ModelTask): ResolvedModel {
    const model = this.models.get(name) ?? this.resolvePrefixed(name);
    if (!model) {
      throw new FenerError('model_not_found', `The model \`${name}\` does not exist or you do not have access to it.`, { param: 'model' });
    }
    if (!model.tasks.includes(task)) {
      throw new FenerError('invalid_request', `The model \`${name}\` does not support ${task}.`, { param: 'model' });
    }
    return model;
  }

  private resolvePrefixed(name: string): ResolvedModel | undefined {
    const cached = this.adHoc.get(name);
    if (cached) return cached;
    const slash = name.indexOf('/');
    if (slash <= 0 || slash === name.length - 1) return undefined;
    const providerId = name.slice(0, slash);
    const provider = this.providers.get(providerId);
    if (!provider) return undefined;
    const upstreamModel = name.slice(slash + 1);
    const resolved: ResolvedModel = {
      name,
      providerId,
      provider,
      upstreamModel,
      price: knownPrice(upstreamModel) ?? { input_per_mtok: 0, output_per_mtok: 0 },
      tasks: ['chat', 'embeddings'],
      source: 'provider-prefix',
    };
    if (this.adHoc.size < 1000) this.adHoc.set(name, resolved);
    return resolved;
  }

  list(): ResolvedModel[] {
    return [...this.models.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
