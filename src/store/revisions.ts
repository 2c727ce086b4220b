import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Topics whose in-memory caches other processes must drop when they change. */
export type RevisionTopic = 'keys' | 'models' | 'prompts' | 'registry' | 'deployments' | 'policies';

/**
 * A tiny change feed: writers bump a topic's version in the same database, and every process
 * polls the versions (one indexed read of a handful of rows) to know when to reload a cache.
 */
export class RevisionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async bump(topic: RevisionTopic): Promise<void> {
    await this.db
      .insertInto('revisions')
      .values({ topic, version: 1 })
      .onConflict((conflict) => conflict.column('topic').doUpdateSet({ version: sql`revisions.version + 1` }))
      .execute();
  }

  async all(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('revisions').selectAll().execute();
    return Object.fromEntries(rows.map((row) => [row.topic, Number(row.version)]));
  }
}
