/**
 * The audit log: an append-only record of every change to the registry, deployments and
 * policies, hash-chained so that a row edited or deleted behind the log's back is detected.
 *
 * `hash(n) = sha256(hash(n-1) + canonicalJson(entry n))`, with an empty string before the first
 * entry. Appends are serialised so the chain never forks: on Postgres a transaction-scoped
 * advisory lock makes replicas take turns; on SQLite the single writer (and, across processes,
 * the unique `seq` with a retry) does the same.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { FenerError, newId, type AuditEntry } from '../core/index.js';
import type { AuditLogTable, Database } from './schema.js';

export type { AuditEntry };

/** The action names in use; free text in the table so new modules can add theirs. */
export type AuditAction =
  | 'model.create'
  | 'model.register'
  | 'model.evaluate'
  | 'alias.move'
  | 'deployment.create'
  | 'deployment.update'
  | 'deployment.rollback'
  | 'approval.grant'
  | 'policy.update'
  | (string & {});

export interface AuditInput {
  /** The principal (key id) that made the change. */
  actor: string;
  action: AuditAction;
  objectType: string;
  objectId: string;
  before: unknown;
  after: unknown;
}

export interface AuditFilter {
  objectType?: string;
  objectId?: string;
  actor?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  /** The `next_cursor` of the previous page. */
  cursor?: string;
  limit?: number;
}

export interface AuditPage {
  data: AuditEntry[];
  next_cursor: string | null;
}

export interface AuditVerification {
  ok: boolean;
  /** Entries checked. */
  checked: number;
  /** The hash of the last entry: keep it elsewhere to detect a rewrite of the whole chain. */
  head: string | null;
  /** The first entry that does not match, and why. */
  broken?: { seq: number; reason: string };
}

/** A transaction or the database: the repositories write their change and its audit entry together. */
export type Executor = Kysely<Database>;

/** JSON with object keys sorted at every depth, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

function entryHash(previous: string, row: Omit<AuditLogTable, 'hash'>): string {
  const body = canonicalJson({
    id: row.id,
    seq: Number(row.seq),
    at: Number(row.at),
    actor: row.actor,
    action: row.action,
    object_type: row.object_type,
    object_id: row.object_id,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
  });
  return createHash('sha256').update(previous).update(body).digest('hex');
}

/**
 * A time-sortable id with a prefix core's `IdPrefix` does not list yet (`aud`, `dep`, `rgm`):
 * the prefixes belong in core, which this change does not touch.
 */
export function prefixedId(prefix: 'aud' | 'dep' | 'rgm' | 'eval' | 'can'): string {
  return `${prefix}_${newId('mdl').slice('mdl_'.length)}`;
}

/** Any number that both replicas agree on: the key of the advisory lock that orders appends. */
const auditLockKey = 0x6665_6e72;
const appendAttempts = 5;

export class AuditRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  /** Appends one entry on its own. */
  append(input: AuditInput): Promise<AuditEntry> {
    return this.change(async (trx) => {
      const entry = await this.appendWithin(trx, input);
      return { result: entry, audit: [] };
    });
  }

  /**
   * Runs a change and appends its audit entries in one transaction: either both are stored or
   * neither. The work may run again if another process appended at the same moment, so it must
   * only read and write through `trx`.
   */
  async change<T>(work: (trx: Executor) => Promise<{ result: T; audit: AuditInput[] }>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (trx) => {
          if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${auditLockKey})`.execute(trx);
          const { result, audit } = await work(trx);
          for (const input of audit) await this.appendWithin(trx, input);
          return result;
        });
      } catch (error) {
        if (attempt >= appendAttempts || !isWriteRace(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
      }
    }
  }

  private async appendWithin(trx: Executor, input: AuditInput): Promise<AuditEntry> {
    const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const row = {
      id: prefixedId('aud'),
      seq: last ? Number(last.seq) + 1 : 1,
      at: Date.now(),
      actor: input.actor,
      action: input.action,
      object_type: input.objectType,
      object_id: input.objectId,
      before: input.before === undefined || input.before === null ? null : canonicalJson(input.before),
      after: input.after === undefined || input.after === null ? null : canonicalJson(input.after),
    };
    const hash = entryHash(last?.hash ?? '', row);
    await trx
      .insertInto('audit_log')
      .values({ ...row, hash })
      .execute();
    return toEntry({ ...row, hash });
  }

  /** Newest first, with a cursor over `seq`. */
  async list(filter: AuditFilter = {}): Promise<AuditPage> {
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
    let query = this.db.selectFrom('audit_log').selectAll();
    if (filter.objectType !== undefined) query = query.where('object_type', '=', filter.objectType);
    if (filter.objectId !== undefined) query = query.where('object_id', '=', filter.objectId);
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('at', '<', filter.to);
    if (filter.cursor !== undefined) query = query.where('seq', '<', decodeCursor(filter.cursor));
    const rows = await query
      .orderBy('seq', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { data: page.map(toEntry), next_cursor: rows.length > limit && last ? String(last.seq) : null };
  }

  /** Walks the whole chain in order and reports the first entry whose hash or position is wrong. */
  async verify(): Promise<AuditVerification> {
    let previous = '';
    let expectedSeq = 1;
    let checked = 0;
    for (;;) {
      const rows = await this.db.selectFrom('audit_log').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(500).execute();
      for (const row of rows) {
        const seq = Number(row.seq);
        if (seq !== expectedSeq) return broken({ checked, previous }, expectedSeq, `entry ${expectedSeq} is missing`);
        let hash: string;
        try {
          hash = entryHash(previous, row);
        } catch {
          return broken({ checked, previous }, seq, 'its before/after is not valid JSON');
        }
        if (hash !== row.hash) return broken({ checked, previous }, seq, 'its hash does not match its content and the previous hash');
        previous = row.hash;
        expectedSeq++;
        checked++;
      }
      if (rows.length < 500) return { ok: true, checked, head: previous === '' ? null : previous };
    }
  }
}

function broken(progress: { checked: number; previous: string }, seq: number, reason: string): AuditVerification {
  return { ok: false, checked: progress.checked, head: progress.previous === '' ? null : progress.previous, broken: { seq, reason } };
}

/** A collision on the log's unique `seq`, or a busy SQLite database: another process appended first. */
function isWriteRace(error: unknown): boolean {
  const { code, constraint, message } = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT') return true;
  if (code === '23505') return typeof constraint === 'string' && constraint.startsWith('audit_log');
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof message === 'string' && message.includes('audit_log.seq');
}

function decodeCursor(cursor: string): number {
  const seq = Number(cursor);
  if (!Number.isSafeInteger(seq) || seq < 1)
    throw new FenerError('invalid_request', 'cursor is not one this server issued', { param: 'cursor' });
  return seq;
}

function toEntry(row: AuditLogTable): AuditEntry {
  return {
    id: row.id,
    seq: Number(row.seq),
    at: Number(row.at),
    actor: row.actor,
    action: row.action,
    object_type: row.object_type,
    object_id: row.object_id,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
    hash: row.hash,
  };
}
