import type { Kysely } from 'kysely';
import { FenerError, newId, type ProjectId } from '../core/index.js';
import type { Database } from './schema.js';

export interface Project {
  id: ProjectId;
  name: string;
  createdAt: number;
}

export class ProjectRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(name: string): Promise<Project> {
    const existing = await this.findByName(name);
    if (existing) throw new FenerError('conflict', `project "${name}" already exists`, { param: 'name' });
    const project: Project = { id: newId('prj'), name, createdAt: Date.now() };
    await this.db.insertInto('projects').values({ id: project.id, name, created_at: project.createdAt }).execute();
    return project;
  }

  /** Creates the project unless it exists; safe when several processes start at once. */
  async ensure(name: string): Promise<Project> {
    await this.db
      .insertInto('projects')
      .values({ id: newId('prj'), name, created_at: Date.now() })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
    const project = await this.findByName(name);
    if (!project) throw new FenerError('internal', `project "${name}" vanished while being created`);
    return project;
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

function toProject(row: Database['projects']): Project {
  return { id: row.id as ProjectId, name: row.name, createdAt: Number(row.created_at) };
}
