import { hash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { FenerError, newId, newSecret, type KeyId, type ProjectId } from '../core/index.js';
import { hasChanges, limitColumnsOf, readLimitColumns, type Budget, type LimitSettingsUpdate, type RateLimits } from './limit-settings.js';
import type { AuditInput, AuditRepository } from './audit.js';
import type { RevisionRepository } from './revisions.js';
import type { Database } from './schema.js';

export type KeyKind = 'admin' | 'project';

export interface ApiKey {
  id: KeyId;
  projectId: ProjectId | null;
  name: string;
  kind: KeyKind;
  hint: string;
  createdAt: number;
  revokedAt: number | null;
  /** Requests and tokens per minute for this key (optional so that keys built in code need none). */
  limits?: RateLimits;
  budget?: Budget;
}

/** Virtual keys look like `sk-fener-…` so that secret scanners and people recognise them. */
const keyPrefix = 'sk-fener-';

/** Keys are stored only as SHA-256 hashes: they are long random secrets, so no slow KDF is needed. */
export function hashKey(secret: string): string {
  return hash('sha256', secret, 'hex');
}

export function makeKeySecret(): string {
  return keyPrefix + newSecret(24);
}

export class KeyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly revisions: RevisionRepository,
    private readonly audit: AuditRepository,
  ) {}

  /** Creates a key and returns its secret, which is never stored and cannot be shown again. */
  async create(input: {
    projectId: ProjectId | null;
    name: string;
    kind: KeyKind;
    secret?: string;
    limits?: RateLimits;
    budget?: Budget;
    /** Who creates it, for the audit log (default `system`). */
    actor?: string;
  }): Promise<{ key: ApiKey; secret: string }> {
    if (input.kind === 'project' && input.projectId === null) {
      throw new FenerError('invalid_request', 'a project key needs a project', { param: 'project' });
    }
    const limitColumns = { rpm: null, tpm: null, budget_usd: null, budget_period: null, ...limitColumnsOf(input) };
    const secret = input.secret ?? makeKeySecret();
    const key: ApiKey = {
      id: newId('key'),
      projectId: input.projectId,
      name: input.name,
      kind: input.kind,
      hint: `${secret.slice(0, keyPrefix.length + 4)}…`,
      createdAt: Date.now(),
      revokedAt: null,
      ...readLimitColumns(limitColumns),
    };
    await this.audit.change(async (trx) => {
      await trx
        .insertInto('api_keys')
        .values({
          id: key.id,
          project_id: key.projectId,
          name: key.name,
          kind: key.kind,
          key_hash: hashKey(secret),
          key_hint: key.hint,
          created_at: key.createdAt,
          revoked_at: null,
          ...limitColumns,
        })
        .execute();
      return { result: undefined, audit: [keyAudit(input.actor, 'key.create', { before: null, after: key })] };
    });
    await this.revisions.bump('keys');
    return { key, secret };
  }

  async findBySecret(secret: string): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', hashKey(secret)).executeTakeFirst();
    return row && toKey(row);
  }

  async get(id: string): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toKey(row);
  }

  async list(filter: { projectId?: string; kind?: KeyKind; includeRevoked?: boolean } = {}): Promise<ApiKey[]> {
    let query = this.db.selectFrom('api_keys').selectAll();
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    if (!filter.includeRevoked) query = query.where('revoked_at', 'is', null);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    return rows.map(toKey);
  }

  /** Revokes a key; idempotent. Returns undefined when no such key exists. */
  async revoke(id: string, actor?: string): Promise<ApiKey | undefined> {
    const before = await this.get(id);
    if (before && before.revokedAt === null) {
      await this.audit.change(async (trx) => {
        await trx.updateTable('api_keys').set({ revoked_at: Date.now() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
        const after = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
        return { result: undefined, audit: [keyAudit(actor, 'key.revoke', { before, after: after && toKey(after) })] };
      });
    }
    await this.revisions.bump('keys');
    return this.get(id);
  }

  /**
   * Changes a key's limits or budget and bumps the `keys` revision, so every process reloads the
   * key. Returns undefined when no such key exists.
   */
  async update(id: string, update: LimitSettingsUpdate, actor?: string): Promise<ApiKey | undefined> {
    const columns = limitColumnsOf(update);
    if (hasChanges(columns)) {
      const before = await this.get(id);
      if (!before) return undefined;
      await this.audit.change(async (trx) => {
        await trx.updateTable('api_keys').set(columns).where('id', '=', id).execute();
        const after = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        return { result: undefined, audit: [keyAudit(actor, 'key.update_limits', { before, after: toKey(after) })] };
      });
      await this.revisions.bump('keys');
    }
    return this.get(id);
  }

  async hasActiveAdminKey(): Promise<boolean> {
    const row = await this.db
      .selectFrom('api_keys')
      .select('id')
      .where('kind', '=', 'admin')
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }
}

function toKey(row: Database['api_keys']): ApiKey {
  return {
    id: row.id as KeyId,
    projectId: row.project_id as ProjectId | null,
    name: row.name,
    kind: row.kind,
    hint: row.key_hint,
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    ...readLimitColumns(row),
  };
}

/** Key changes in the audit log: the key as listed (hint, limits), never its secret or hash. */
function keyAudit(actor: string | undefined, action: string, change: { before: ApiKey | null; after: ApiKey | undefined }): AuditInput {
  const id = change.after?.id ?? change.before?.id ?? 'unknown';
  return { actor: actor ?? 'system', action, objectType: 'key', objectId: id, before: change.before, after: change.after ?? null };
}
