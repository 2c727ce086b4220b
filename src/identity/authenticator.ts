import { FenerError } from '../core/index.js';
import { hashKey, RevisionWatcher, type ApiKey, type Project, type Store } from '../store/index.js';

export interface AuthenticatorOptions {
  /** How often other processes' key changes are picked up (default 100 ms). */
  pollIntervalMs?: number;
  /** An admin key given by `FENER_ADMIN_KEY`; accepted without being stored. */
  adminSecret?: string;
  onError?(error: unknown): void;
}

/** The identity of a caller that presented a valid key, with its project's settings (limits, budget). */
export interface Principal extends ApiKey {
  project: Project | null;
}

const environmentAdmin: Principal = {
  id: 'key_environment',
  projectId: null,
  name: 'FENER_ADMIN_KEY',
  kind: 'admin',
  hint: 'FENER_ADMIN_KEY',
  createdAt: 0,
  revokedAt: null,
  project: null,
};

/**
 * Turns `Authorization: Bearer …` into a principal. Keys are looked up by hash once and then
 * answered from memory; any key change in any process bumps the `keys` revision, which empties
 * the cache here within one poll interval (and at once in the process that made the change).
 */
export class Authenticator {
  private readonly cache = new Map<string, Principal | null>();
  private readonly watcher: RevisionWatcher;
  private readonly adminHash: string | undefined;

  constructor(
    private readonly store: Store,
    options: AuthenticatorOptions = {},
  ) {
    this.adminHash = options.adminSecret === undefined ? undefined : hashKey(options.adminSecret);
    this.watcher = new RevisionWatcher(store.revisions, {
      intervalMs: options.pollIntervalMs ?? 100,
      // Project limits change under the same topic, so a project update reloads its keys too.
      onChange: (topic) => {
        if (topic === 'keys') this.cache.clear();
      },
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  start(): Promise<void> {
    return this.watcher.start();
  }

  stop(): void {
    this.watcher.stop();
  }

  /** Drops cached keys now (called after this process changed a key). */
  invalidate(): void {
    this.cache.clear();
  }

  /** Resolves the bearer token of a request; throws `unauthorized` for a missing or unknown key. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    const secret = bearerToken(authorization);
    const hash = hashKey(secret);
    if (hash === this.adminHash) return environmentAdmin;
    let principal = this.cache.get(hash);
    if (principal === undefined) {
      const key = await this.store.keys.findBySecret(secret);
      const project = key?.projectId ? ((await this.store.projects.get(key.projectId)) ?? null) : null;
      principal = key && key.revokedAt === null ? { ...key, project } : null;
      this.cache.set(hash, principal);
    }
    if (principal === null) throw new FenerError('unauthorized', 'Incorrect API key provided.');
    return principal;
  }

  async authenticateAdmin(authorization: string | undefined): Promise<Principal> {
    const principal = await this.authenticate(authorization);
    if (principal.kind !== 'admin') throw new FenerError('forbidden', 'this endpoint needs the admin key');
    return principal;
  }
}

function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization === '') {
    throw new FenerError('unauthorized', 'You did not provide an API key. Send it as "Authorization: Bearer <key>".');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw new FenerError('unauthorized', 'The Authorization header must be "Bearer <key>".');
  return match[1];
}
