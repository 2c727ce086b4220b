/**
 * The store: one interface over SQLite (default, embedded) and Postgres (`DATABASE_URL`).
 * Both dialects share every query through Kysely; only the connection differs (see dialects.ts).
 */
import { type Kysely, Migrator, sql, type MigrationProvider } from 'kysely';
import { FenerError } from '../core/index.js';
import { openPostgres, openSqlite } from './dialects.js';
import { AuditRepository } from './audit.js';
import { EvalRepository } from './evals.js';
import { KeyRepository } from './keys.js';
import { migrations } from './migrations.js';
import { ModelRepository } from './models.js';
import { ProjectRepository } from './projects.js';
import { PromptRepository } from './prompts.js';
import { DatasetRepository } from './datasets.js';
import { CanaryRepository } from './canaries.js';
import { DeploymentRepository, PolicyRepository } from './deployments.js';
import { FeedbackRepository } from './feedback.js';
import { AnnotationQueueRepository } from './feedback-queues.js';
import { RegistryRepository } from './registry.js';
import { RevisionRepository } from './revisions.js';
import type { Database } from './schema.js';
import { TraceStatsRepository } from './trace-stats.js';
import { TraceRepository } from './traces.js';
import { TraceWriteThread } from './trace-writer.js';

export type Dialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** `postgres://…` selects Postgres; otherwise SQLite in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
  /** Apply pending migrations when opening (the server does; `fener migrate` does it alone). */
  migrate?: boolean;
  /**
   * Write trace batches from a worker thread (SQLite files only; ignored otherwise). The server
   * turns it on: a batch then never holds the event loop that answers calls.
   */
  traceWriteThread?: boolean;
}

export interface MigrationReport {
  applied: string[];
}

export interface Store {
  readonly dialect: Dialect;
  readonly projects: ProjectRepository;
  readonly keys: KeyRepository;
  readonly models: ModelRepository;
  readonly traces: TraceRepository;
  /** The dashboard's time series, summaries and top errors, read from rollups. */
  readonly traceStats: TraceStatsRepository;
  readonly revisions: RevisionRepository;
  readonly audit: AuditRepository;
  readonly registry: RegistryRepository;
  readonly deployments: DeploymentRepository;
  readonly canaries: CanaryRepository;
  readonly policies: PolicyRepository;
  readonly prompts: PromptRepository;
  readonly evals: EvalRepository;
  readonly datasets: DatasetRepository;
  readonly feedback: FeedbackRepository;
  readonly annotationQueues: AnnotationQueueRepository;
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  migrate(): Promise<MigrationReport>;
  close(): Promise<void>;
}

const migrationProvider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

class KyselyStore implements Store {
  readonly projects: ProjectRepository;
  readonly keys: KeyRepository;
  readonly models: ModelRepository;
  readonly traces: TraceRepository;
  readonly traceStats: TraceStatsRepository;
  readonly revisions: RevisionRepository;
  readonly audit: AuditRepository;
  readonly registry: RegistryRepository;
  readonly deployments: DeploymentRepository;
  readonly canaries: CanaryRepository;
  readonly policies: PolicyRepository;
  readonly prompts: PromptRepository;
  readonly evals: EvalRepository;
  readonly datasets: DatasetRepository;
  readonly feedback: FeedbackRepository;
  readonly annotationQueues: AnnotationQueueRepository;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    private readonly traceThread?: TraceWriteThread,
  ) {
    this.revisions = new RevisionRepository(db);
    this.projects = new ProjectRepository(db, this.revisions);
    this.models = new ModelRepository(db, this.revisions);
    this.traces = new TraceRepository(db, traceThread);
    this.traceStats = new TraceStatsRepository(db);
    this.audit = new AuditRepository(db, dialect);
    this.keys = new KeyRepository(db, this.revisions, this.audit);
    this.registry = new RegistryRepository(db, this.audit);
    this.deployments = new DeploymentRepository(db, this.audit);
    this.canaries = new CanaryRepository(db, this.audit);
    this.policies = new PolicyRepository(db, this.audit);
    this.prompts = new PromptRepository(db, this.revisions, this.audit);
    this.evals = new EvalRepository(db);
    this.datasets = new DatasetRepository(db, this.audit);
    this.feedback = new FeedbackRepository(db, this.audit);
    this.annotationQueues = new AnnotationQueueRepository(db, this.audit, this.feedback);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async migrate(): Promise<MigrationReport> {
    const migrator = new Migrator({
      db: this.db,
      provider: migrationProvider,
      migrationTableName: 'fener_migrations',
      migrationLockTableName: 'fener_migrations_lock',
    });
    const { error, results = [] } = await migrator.migrateToLatest();
    if (error) {
      const failed = results.find((result) => result.status === 'Error');
      throw new FenerError('internal', `migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
    }
    return { applied: results.filter((result) => result.status === 'Success').map((result) => result.migrationName) };
  }

  async close(): Promise<void> {
    await this.traceThread?.close();
    await this.db.destroy();
  }
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const dataDir = options.dataDir ?? './.fener';
  const threaded = options.traceWriteThread === true && dataDir !== ':memory:';
  const store =
    options.databaseUrl !== undefined
      ? new KyselyStore(openPostgres(options.databaseUrl), 'postgres')
      : new KyselyStore(openSqlite(dataDir), 'sqlite', threaded ? new TraceWriteThread(dataDir) : undefined);
  try {
    await store.ping();
    if (options.migrate !== false) await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
