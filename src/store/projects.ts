import type { Kysely } from 'kysely';
import { FenerError, newId, type ProjectId } from '../core/index.js';
import { hasChanges, limitColumnsOf, readLimitColumns, type Budget, type LimitSettingsUpdate, type RateLimits } from './limit-settings.js';
import type { RevisionRepository } from './revisions.js';
import type { Database } from './schema.js';

export interface Project {
  id: ProjectId;
  name: string;
  createdAt: number;
  /** Requests and tokens per minute across all of the project's keys. */
  limits?: RateLimits;
  budget?: Budget;
}

export class ProjectRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly revisions: RevisionRepository,
  ) {}

  async create(name: string): Promise<Project> {
    const existing = await this.findByName(name);
    if (existing) throw new FenerError('conflict', `project "${name}" already exists`, { param: 'name' });
    const project: Project = { id: newId('prj'), name, createdAt: Date.now(), limits: {} };
    await this.db
      .insertInto('projects')
      .values({ id: project.id, name, created_at: project.createdAt, ...noLimits })
      .execute();
    return project;
  }

  /** Creates the project unless it exists; safe when several processes start at once. */
  async ensure(name: string): Promise<Project> {
    await this.db
      .insertInto('projects')
      .values({ id: newId('prj'), name, created_at: Date.now(), ...noLimits })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
    const project = await this.findByName(name);
    if (!project) throw new FenerError('internal', `project "${name}" vanished while being created`);
    return project;
  }

  /**
   * Changes a project's limits or budget. Bumps the `keys` revision: the gateway holds project
   * settings with the keys it has loaded and reloads both on that topic. Undefined when no such project.
   */
  async update(name: string, update: LimitSettingsUpdate): Promise<Project | undefined> {
    const columns = limitColumnsOf(update);
    if (hasChanges(columns)) {
      const result = await this.db.updateTable('projects').set(columns).where('name', '=', name).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      await this.revisions.bump('keys');
    }
    return this.findByName(name);
  }

  async findByName(name: string): Promise<Project | undefined> {
    const row = await this.db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toProject(row);
  }

  async get(id: string): Promise<Project | undefined> {
    const row = await this.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toProject(row);
  }

  async list(): Promise<Project[]> {
    const rows = await this.db.selectFrom('projects').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toProject);
  }
}

const noLimits = { rpm: null, tpm: null, budget_usd: null, budget_period: null };

function toProject(row: Database['projects']): Project {
  return { id: row.id as ProjectId, name: row.name, createdAt: Number(row.created_at), ...readLimitColumns(row) };
}
