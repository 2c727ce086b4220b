/**
 * The registry's rules on top of the store: models must be reachable, deployments must name
 * models that exist, policies are enforced before anything is written, and production changes
 * wait for a second person when the project's policy says so. The store writes each change and
 * its audit entry together.
 */
import { FenerError, type GroupConfig } from '../core/index.js';
import type { ModelCatalog } from '../gateway/index.js';
import type {
  Deployment,
  DeploymentSpec,
  Evaluation,
  ModelVersion,
  ModelVersionInput,
  Project,
  RegisteredModel,
  Store,
} from '../store/index.js';
import { isVersionNumber, registryPrefix, registryVersionOf, subjectsOf, versionSubject, type ModelRefEnvironment } from './model-refs.js';
import { deploymentParametersSchema } from './parameters.js';
import { RegistryRouting } from './resolvers.js';
import { enforcePolicy, loadPolicy, policySchema, type Policy, type PolicySubject } from './policy.js';

export interface RegistryServiceOptions {
  store: Store;
  catalog: ModelCatalog;
  groups: GroupConfig[];
}

export interface DeploymentInput {
  prompt?: string | null;
  model: string;
  parameters?: Record<string, unknown>;
  fallbacks?: string[];
  /** Ask for approval even when the project's policy does not require it. */
  requires_approval?: boolean;
}

export class RegistryService {
  private readonly store: Store;
  private readonly environment: ModelRefEnvironment;

  constructor(private readonly options: RegistryServiceOptions) {
    this.store = options.store;
    this.environment = { store: options.store, catalog: options.catalog, groups: options.groups };
  }

  async createModel(input: { name: string; project: string; description?: string; actor: string }): Promise<RegisteredModel> {
    const project = await this.project(input.project);
    return this.store.registry.createModel({
      name: input.name,
      projectId: project.id,
      actor: input.actor,
      ...(input.description ? { description: input.description } : {}),
    });
  }

  async addVersion(input: { model: string; version: ModelVersionInput; actor: string }): Promise<ModelVersion> {
    if (!this.options.catalog.hasProvider(input.version.provider)) {
      throw new FenerError('invalid_request', `unknown provider "${input.version.provider}"`, { param: 'provider' });
    }
    if (input.version.fine_tuned_from !== undefined) await this.requireLineage(input.version.fine_tuned_from);
    const version = await this.store.registry.addVersion(input);
    // Other processes pick the new serving model up from the `models` revision; this one at once.
    await this.options.catalog.refresh();
    await RegistryRouting.reloadFor(this.store);
    return version;
  }

  /** Moves an alias after checking the target version against the model's project policy. */
  async moveAlias(input: {
    model: string;
    alias: string;
    version: number;
    actor: string;
  }): Promise<{ alias: string; version: number; previous: number | null }> {
    const model = await this.store.registry.getModel(input.model);
    if (!model) throw new FenerError('not_found', `no registered model named "${input.model}"`, { param: 'name' });
    const version = await this.store.registry.getVersion(input.model, input.version);
    if (!version) throw new FenerError('not_found', `model "${input.model}" has no version ${input.version}`, { param: 'version' });
    const project = await this.projectById(model.project_id);
    enforcePolicy(await loadPolicy(this.store, project.id), project.name, [
      versionSubject(version, [`${registryPrefix}${input.model}@${input.alias}`]),
    ]);
    return this.served(this.store.registry.moveAlias(input));
  }

  addEvaluation(input: {
    model: string;
    version: number;
    evaluation: Omit<Evaluation, 'at'> & { at?: number };
    actor: string;
  }): Promise<Evaluation> {
    return this.store.registry.addEvaluation(input);
  }

  async createDeployment(input: DeploymentInput & { name: string; project: string; actor: string }): Promise<Deployment> {
    const project = await this.project(input.project);
    const { spec, requiresApproval } = await this.checkedSpec(project, input);
    return this.served(
      this.store.deployments.create({ name: input.name, projectId: project.id, spec, actor: input.actor, requiresApproval }),
    );
  }

  async updateDeployment(input: DeploymentInput & { name: string; actor: string }): Promise<Deployment> {
    const project = await this.projectById((await this.deployment(input.name)).project_id);
    const { spec, requiresApproval } = await this.checkedSpec(project, input);
    return this.served(this.store.deployments.update({ name: input.name, spec, actor: input.actor, requiresApproval }));
  }

  /** A rollback restores an older spec, which must still pass today's policy. */
  async rollbackDeployment(input: { name: string; version?: number; actor: string }): Promise<Deployment> {
    const deployment = await this.deployment(input.name);
    const project = await this.projectById(deployment.project_id);
    const policy = await loadPolicy(this.store, project.id);
    const target =
      input.version === undefined ? previousVersion(deployment) : deployment.versions.find((version) => version.version === input.version);
    if (target) await this.enforceSpec(policy, project, target);
    return this.served(
      this.store.deployments.rollback({
        name: input.name,
        actor: input.actor,
        requiresApproval: policy.require_approval,
        ...(input.version === undefined ? {} : { to: input.version }),
      }),
    );
  }

  /** Checks a spec for deployment `name` as a change would be checked (models exist, policy allows); writes nothing. */
  async checkSpecFor(name: string, input: DeploymentInput): Promise<{ spec: DeploymentSpec; policy: Policy }> {
    const project = await this.projectById((await this.deployment(name)).project_id);
    const { spec } = await this.checkedSpec(project, input);
    return { spec, policy: await loadPolicy(this.store, project.id) };
  }

  /** The governance policy of the project a deployment belongs to. */
  async policyOfDeployment(name: string): Promise<Policy> {
    return loadPolicy(this.store, (await this.deployment(name)).project_id);
  }

  approveDeployment(input: { name: string; version: number; actor: string }): Promise<Deployment> {
    return this.served(this.store.deployments.approve(input));
  }

  async getPolicy(projectName: string): Promise<Policy> {
    return loadPolicy(this.store, (await this.project(projectName)).id);
  }

  async putPolicy(input: { project: string; policy: Policy; actor: string }): Promise<Policy> {
    const project = await this.project(input.project);
    const stored = await this.store.policies.put({ projectId: project.id, document: input.policy, actor: input.actor });
    // Gateways cache policies (the PII guardrail reads them on every call) and reload on this.
    await this.store.revisions.bump('policies');
    return policySchema.parse(stored.document);
  }

  /** Waits for a change, then makes this process serve it at once (others follow within a poll). */
  private async served<T>(change: Promise<T>): Promise<T> {
    const result = await change;
    await RegistryRouting.reloadFor(this.store);
    return result;
  }

  private async checkedSpec(project: Project, input: DeploymentInput): Promise<{ spec: DeploymentSpec; requiresApproval: boolean }> {
    const parameters = deploymentParametersSchema.safeParse(input.parameters ?? {});
    if (!parameters.success) {
      const issue = parameters.error.issues[0];
      const param = ['parameters', ...(issue?.path.map(String) ?? [])].join('.');
      throw new FenerError('invalid_request', `${param}: ${issue?.message ?? 'invalid'}`, { param });
    }
    const spec: DeploymentSpec = {
      prompt: input.prompt ?? null,
      model: input.model,
      parameters: parameters.data,
      fallbacks: input.fallbacks ?? [],
    };
    const policy = await loadPolicy(this.store, project.id);
    await this.enforceSpec(policy, project, spec);
    return { spec, requiresApproval: policy.require_approval || input.requires_approval === true };
  }

  private async enforceSpec(policy: Policy, project: Project, spec: DeploymentSpec): Promise<void> {
    const subjects: PolicySubject[] = [];
    for (const [index, name] of [spec.model, ...spec.fallbacks].entries()) {
      try {
        subjects.push(...(await subjectsOf(this.environment, name)));
      } catch (error) {
        if (error instanceof FenerError && error.status === 404) {
          const param = index === 0 ? 'model' : `fallbacks.${index - 1}`;
          throw new FenerError('invalid_request', `${param}: ${error.message}`, { param });
        }
        throw error;
      }
    }
    enforcePolicy(policy, project.name, subjects);
  }

  private async requireLineage(reference: string): Promise<void> {
    const at = reference.lastIndexOf('@');
    if (at <= 0 || !isVersionNumber(reference.slice(at + 1))) {
      throw new FenerError('invalid_request', 'fine_tuned_from: expected MODEL@VERSION, e.g. "support@1"', { param: 'fine_tuned_from' });
    }
    try {
      await registryVersionOf(this.store, `${registryPrefix}${reference}`);
    } catch (error) {
      if (error instanceof FenerError)
        throw new FenerError('invalid_request', `fine_tuned_from: ${error.message}`, { param: 'fine_tuned_from' });
      throw error;
    }
  }

  private async deployment(name: string): Promise<Deployment> {
    const deployment = await this.store.deployments.get(name);
    if (!deployment) throw new FenerError('not_found', `no deployment named "${name}"`, { param: 'name' });
    return deployment;
  }

  private async project(name: string): Promise<Project> {
    const project = await this.store.projects.findByName(name);
    if (!project) throw new FenerError('not_found', `project "${name}" does not exist`, { param: 'project' });
    return project;
  }

  private async projectById(id: string): Promise<Project> {
    const project = await this.store.projects.get(id);
    if (!project) throw new FenerError('internal', `project ${id} of a registry object does not exist`);
    return project;
  }
}

function previousVersion(deployment: Deployment): DeploymentSpec | undefined {
  const active = deployment.active_version ?? 0;
  return deployment.versions.filter((version) => version.activated_at !== null && version.version < active).at(-1);
}
