import type { Project, Store } from '../store/index.js';

export interface BootstrapResult {
  defaultProject: Project;
  /** Set only when this start generated the admin key: show it once, it is not stored. */
  generatedAdminKey?: string;
}

/**
 * What every start makes sure of: the `default` project exists, and there is an admin key —
 * the one in `FENER_ADMIN_KEY`, or one generated now and printed once.
 */
export async function bootstrapIdentity(store: Store, adminSecret: string | undefined): Promise<BootstrapResult> {
  const defaultProject = await store.projects.ensure('default');
  if (adminSecret !== undefined || (await store.keys.hasActiveAdminKey())) return { defaultProject };
  const { secret } = await store.keys.create({
    projectId: null,
    name: 'admin (generated at first start)',
    kind: 'admin',
    actor: 'system:bootstrap',
  });
  return { defaultProject, generatedAdminKey: secret };
}
