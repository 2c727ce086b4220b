export { openStore } from './store.js';
export type { Dialect, MigrationReport, Store, StoreOptions } from './store.js';
export { hashKey } from './keys.js';
export type { ApiKey, KeyKind } from './keys.js';
export type { Project } from './projects.js';
export type { ModelInput, StoredModel } from './models.js';
export type { RevisionTopic } from './revisions.js';
export type { Trace, TraceFilter, TracePage, TraceRow } from './traces.js';
