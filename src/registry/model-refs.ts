/**
 * What a deployment's model reference means: a configured model, a group of them, or a
 * registry version named `registry:NAME@ALIAS` / `registry:NAME@VERSION`. Used to refuse unknown
 * models and to check policy before anything is stored.
 */
import { FenerError, type GroupConfig } from '../core/index.js';
import type { ModelCatalog } from '../gateway/index.js';
import type { ModelVersion, Store } from '../store/index.js';
import type { PolicySubject } from './policy.js';

export const registryPrefix = 'registry:';

export interface RegistryRef {
  model: string;
  /** An alias name, or a version number as text. */
  ref: string;
}

/** `registry:support@champion` → `{model: 'support', ref: 'champion'}`; without `@` the `champion` alias. */
export function parseRegistryRef(name: string): RegistryRef {
  const body = name.slice(registryPrefix.length);
  const at = body.lastIndexOf('@');
  const model = at < 0 ? body : body.slice(0, at);
  const ref = at < 0 ? 'champion' : body.slice(at + 1);
  if (model === '' || ref === '')
    throw new FenerError('model_not_found', `\`${name}\` is not a registry reference (registry:NAME@ALIAS or @VERSION)`, {
      param: 'model',
    });
  return { model, ref };
}

export function isVersionNumber(ref: string): boolean {
  return /^[1-9][0-9]*$/.test(ref);
}

export interface ModelRefEnvironment {
  store: Store;
  catalog: ModelCatalog;
  groups: GroupConfig[];
}

/** The registry version a reference points at now, or a 404 naming what is missing. */
export async function registryVersionOf(store: Store, name: string): Promise<ModelVersion> {
  const { model, ref } = parseRegistryRef(name);
  const registered = await store.registry.getModel(model);
  if (!registered) throw new FenerError('model_not_found', `no registered model named "${model}"`, { param: 'model' });
  const version = isVersionNumber(ref) ? Number(ref) : registered.aliases[ref];
  if (version === undefined)
    throw new FenerError('model_not_found', `registered model "${model}" has no alias "${ref}"`, { param: 'model' });
  const found = await store.registry.getVersion(model, version);
  if (!found) throw new FenerError('model_not_found', `registered model "${model}" has no version ${version}`, { param: 'model' });
  return found;
}

export function versionSubject(version: ModelVersion, names: string[]): PolicySubject {
  return { names: [...names, `${registryPrefix}${version.model}`], provider: version.provider, licence: version.licence };
}

/** The concrete models behind a reference, for policy; throws 404 for a name nothing answers to. */
export async function subjectsOf(environment: ModelRefEnvironment, name: string, seen: Set<string> = new Set()): Promise<PolicySubject[]> {
  if (name.startsWith(registryPrefix)) return [versionSubject(await registryVersionOf(environment.store, name), [name])];
  const group = environment.groups.find((candidate) => candidate.name === name);
  if (group) {
    if (seen.has(name)) return [];
    seen.add(name);
    const subjects: PolicySubject[] = [];
    for (const target of group.targets) {
      const targetName = typeof target === 'string' ? target : target.model;
      for (const subject of await subjectsOf(environment, targetName, seen)) subjects.push({ ...subject, names: [name, ...subject.names] });
    }
    return subjects;
  }
  const model = environment.catalog.resolve(name, 'chat');
  return [{ names: [name], provider: model.providerId, licence: model.licence }];
}
