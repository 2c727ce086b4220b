/**
 * The `registry:` and `deployment:` model names on the gateway's hot path. What they mean is
 * held in memory — every registry version and alias with its serving model, every deployment's
 * active version, every running canary with its variants — and reloaded when the `registry` or
 * `deployments` revision moves (polled like the key cache), so resolving a name never waits on
 * the database. A deployment's prompt is rendered by the prompts module, which the server plugs
 * in as a `DeploymentPromptRenderer` (the prompts module sits beside this one, not below it).
 */
import { FenerError } from '../core/index.js';
import type { RequestResolver, ResolvedRequest, ResolverInput } from '../gateway/index.js';
import { RevisionWatcher, type ActiveCanary, type ActiveDeployment, type Store } from '../store/index.js';
import { resolveDeploymentRequest, type DeploymentPromptRenderer } from './deployment-request.js';
import { isVersionNumber, parseRegistryRef, registryPrefix } from './model-refs.js';

export const deploymentPrefix = 'deployment:';

interface RegistryTarget {
  version: number;
  servingModel: string;
}

export interface RegistryRoutingOptions {
  /** How often other processes' changes are picked up (default 100 ms). */
  pollIntervalMs?: number;
  onError?(error: unknown): void;
  /** Renders deployments' prompts; without it, a deployment that binds a prompt cannot be called. */
  prompts?: DeploymentPromptRenderer;
}

export class RegistryRouting {
  /** The running instance per store, so a change made through this process is served at once. */
  private static readonly running = new WeakMap<Store, RegistryRouting>();

  /** Reloads the running instance of this store, if any (called after a local change). */
  static async reloadFor(store: Store): Promise<void> {
    await RegistryRouting.running.get(store)?.reload();
  }

  private versions = new Map<string, string>();
  private aliases = new Map<string, number>();
  private deployments = new Map<string, ActiveDeployment>();
  private canaries = new Map<string, ActiveCanary>();
  private readonly watcher: RevisionWatcher;
  private reloading: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: RegistryRoutingOptions = {},
  ) {
    this.watcher = new RevisionWatcher(store.revisions, {
      intervalMs: options.pollIntervalMs ?? 100,
      onChange: (topic) => {
        if (topic === 'registry' || topic === 'deployments') void this.reload().catch((error: unknown) => this.options.onError?.(error));
      },
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  async start(): Promise<void> {
    await this.reload();
    await this.watcher.start();
    RegistryRouting.running.set(this.store, this);
  }

  stop(): void {
    this.watcher.stop();
    if (RegistryRouting.running.get(this.store) === this) RegistryRouting.running.delete(this.store);
  }

  /** Loads the registry and deployments again (after a change made in this process, skip the wait). */
  reload(): Promise<void> {
    this.reloading ??= this.load().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async load(): Promise<void> {
    const [table, active, canaries] = await Promise.all([
      this.store.registry.servingTable(),
      this.store.deployments.activeAll(),
      this.store.canaries.activeAll(),
    ]);
    this.versions = new Map(table.versions.map((row) => [`${row.model}@${row.version}`, row.serving_model]));
    this.aliases = new Map(table.aliases.map((row) => [`${row.model}@${row.alias}`, row.version]));
    this.deployments = new Map(active.map((deployment) => [deployment.name, deployment]));
    this.canaries = new Map(canaries.map((canary) => [canary.deployment, canary]));
  }

  get resolvers(): RequestResolver[] {
    return [
      { prefix: registryPrefix, resolve: (input) => settle(() => this.resolveRegistry(input)) },
      { prefix: deploymentPrefix, resolve: (input) => this.resolveDeployment(input) },
    ];
  }

  private target(name: string): RegistryTarget {
    const { model, ref } = parseRegistryRef(name);
    const version = isVersionNumber(ref) ? Number(ref) : this.aliases.get(`${model}@${ref}`);
    const servingModel = version === undefined ? undefined : this.versions.get(`${model}@${version}`);
    if (version === undefined || servingModel === undefined) {
      throw new FenerError('model_not_found', `The model \`${name}\` does not exist or you do not have access to it.`, { param: 'model' });
    }
    return { version, servingModel };
  }

  private resolveRegistry({ request }: ResolverInput): ResolvedRequest {
    const { model, ref } = parseRegistryRef(request.model);
    const target = this.target(request.model);
    return {
      request: { ...request, model: target.servingModel },
      traceMetadata: { registry: { model, ref, version: target.version } },
    };
  }

  private async resolveDeployment(input: ResolverInput): Promise<ResolvedRequest> {
    const name = input.request.model.slice(deploymentPrefix.length);
    const deployment = this.deployments.get(name);
    if (!deployment) {
      throw new FenerError('model_not_found', `The deployment \`${name}\` does not exist or has no approved version.`, { param: 'model' });
    }
    return resolveDeploymentRequest({
      input,
      name,
      deployment,
      canary: this.canaries.get(name),
      servingModel: (reference) => {
        if (!reference.startsWith(registryPrefix)) return { model: reference };
        const target = this.target(reference);
        return { model: target.servingModel, registryVersion: target.version };
      },
      prompts: this.options.prompts,
    });
  }
}

/** Resolution is synchronous (all in memory); a refusal still arrives as a rejected promise. */
function settle(resolve: () => ResolvedRequest): Promise<ResolvedRequest> {
  try {
    return Promise.resolve(resolve());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}
