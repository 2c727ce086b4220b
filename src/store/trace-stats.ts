/**
 * The dashboard's queries. Time series and summaries read the rollups (never the raw traces), so
 * their cost grows with buckets × groups, not with traffic: minute buckets read the per-minute
 * table, hour and day buckets the per-hour one. Windows are widened to whole buckets (UTC): a
 * bucket `t` covers [t, t + size). Without a project, the cross-project rows are read (one per
 * bucket and group: nothing to merge) for everything and per model; per key, deployment or project
 * the project rows.
 * The database groups rows into points (day buckets from hour rows, several projects' rows) and
 * merges their histograms by concatenating the `bin:count` lists, which the reader sums: one row
 * per point crosses into JavaScript. Percentiles are within `histogramRelativeError` (~4.9%). Top errors are exact, from their own hourly rollup and the traces at the window's edges.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { StatsBucket, StatsGroupBy, StatsPoint, StatsSummary } from '../core/index.js';
import { percentilesOfEncoded } from './latency-histogram.js';
import { readTopErrors, type TopError } from './trace-error-rollup.js';
import { allProjects, hourMs, minuteMs, type RollupDimension, type RollupTable } from './trace-rollups.js';
import type { Database } from './schema.js';

export type { TopError } from './trace-error-rollup.js';

export type { StatsBucket, StatsGroupBy, StatsPoint, StatsSummary };

export const bucketMs: Record<StatsBucket, number> = { minute: minuteMs, hour: hourMs, day: 24 * hourMs };

export interface StatsWindow {
  /** Epoch ms, inclusive (widened down to its bucket). */
  from: number;
  /** Epoch ms, exclusive (widened up to a bucket boundary). */
  to: number;
  /** Only this project's traces; all projects when absent. */
  projectId?: string;
}

/** One point, already summed by the database. */
interface RollupRead {
  t: number | string;
  group: string;
  requests: number | string;
  errors: number | string;
  input_tokens: number | string;
  output_tokens: number | string;
  cost_usd: number | string;
  latency_ms_sum: number | string;
  /** The points' rows' histograms, joined by ',' (their bins repeat: the reader adds them). */
  latency_hist: string;
  ttft_hist: string;
}

/** Read every project's own rows (not the cross-project ones). */
const eachProject = Symbol('each project');

interface RollupWindow {
  from: number;
  to: number;
  /** A project id, `allProjects` for the cross-project rows, or `eachProject`. */
  projects: string | typeof eachProject;
  /** Rows are summed per bucket of this size (whole window when absent) … */
  size?: number;
  /** … and per this column's value ('' when absent). */
  groupBy?: 'project_id' | 'value';
}

interface Totals {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms_sum: number;
  /** Encoded histograms of the rows added, summed when percentiles are read. */
  latency: string[];
  ttft: string[];
}

export class TraceStatsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Points sorted by time, then group; buckets without traffic are left out. */
  async timeseries(query: StatsWindow & { bucket: StatsBucket; groupBy?: StatsGroupBy }): Promise<StatsPoint[]> {
    const size = bucketMs[query.bucket];
    const from = Math.floor(query.from / size) * size;
    const to = Math.ceil(query.to / size) * size;
    const dimension: RollupDimension = query.groupBy === undefined || query.groupBy === 'project' ? 'all' : query.groupBy;
    const table: RollupTable = query.bucket === 'minute' ? 'trace_rollup_minute' : 'trace_rollup_hour';
    // Cross-project rows exist for everything and per model; other views sum the project rows.
    const projects = query.projectId ?? (query.groupBy === undefined || query.groupBy === 'model' ? allProjects : eachProject);
    const groupBy = query.groupBy === undefined ? undefined : query.groupBy === 'project' ? 'project_id' : 'value';
    const rows = await this.read(table, dimension, { from, to, projects, size, ...(groupBy ? { groupBy } : {}) });
    const points = rows.map((row) => {
      const totals = emptyTotals();
      addRow(totals, row);
      // No deployment or no key is stored as '' and shown as null; a project id is never ''.
      return { t: Number(row.t), group: query.groupBy === undefined || row.group === '' ? null : row.group, totals };
    });
    return points
      .sort((a, b) => a.t - b.t || compareText(a.group ?? '', b.group ?? ''))
      .map(({ t, group, totals }) => {
        const [p50, p95, p99] = percentilesOfEncoded(totals.latency, [0.5, 0.95, 0.99]);
        const [ttft50] = percentilesOfEncoded(totals.ttft, [0.5]);
        return {
          t,
          group,
          requests: totals.requests,
          errors: totals.errors,
          p50_ms: p50 ?? null,
          p95_ms: p95 ?? null,
          p99_ms: p99 ?? null,
          ttft_p50_ms: ttft50 ?? null,
          input_tokens: totals.input_tokens,
          output_tokens: totals.output_tokens,
          cost_usd: totals.cost_usd,
        };
      });
  }

  /** Totals over the window widened to whole minutes: whole hours from the hour table, the edges by the minute. */
  async summary(query: StatsWindow): Promise<StatsSummary> {
    const from = Math.floor(query.from / minuteMs) * minuteMs;
    const to = Math.ceil(query.to / minuteMs) * minuteMs;
    const firstHour = Math.ceil(from / hourMs) * hourMs;
    const lastHour = Math.floor(to / hourMs) * hourMs;
    const projects = query.projectId ?? allProjects;
    const reads: Promise<RollupRead[]>[] = [];
    if (firstHour < lastHour) {
      reads.push(this.read('trace_rollup_hour', 'all', { from: firstHour, to: lastHour, projects }));
      reads.push(this.read('trace_rollup_minute', 'all', { from, to: firstHour, projects }));
      reads.push(this.read('trace_rollup_minute', 'all', { from: lastHour, to, projects }));
    } else {
      reads.push(this.read('trace_rollup_minute', 'all', { from, to, projects }));
    }
    const totals = emptyTotals();
    for (const rows of await Promise.all(reads)) for (const row of rows) addRow(totals, row);
    const [p50, p95, p99] = percentilesOfEncoded(totals.latency, [0.5, 0.95, 0.99]);
    const [ttft50, ttft95] = percentilesOfEncoded(totals.ttft, [0.5, 0.95]);
    return {
      from,
      to,
      requests: totals.requests,
      errors: totals.errors,
      input_tokens: totals.input_tokens,
      output_tokens: totals.output_tokens,
      cost_usd: totals.cost_usd,
      avg_latency_ms: totals.requests === 0 ? null : totals.latency_ms_sum / totals.requests,
      p50_ms: p50 ?? null,
      p95_ms: p95 ?? null,
      p99_ms: p99 ?? null,
      ttft_p50_ms: ttft50 ?? null,
      ttft_p95_ms: ttft95 ?? null,
    };
  }

  /** The most frequent (code, message) pairs of failed calls in [from, to), exactly. */
  topErrors(query: StatsWindow & { limit: number }): Promise<TopError[]> {
    return readTopErrors(this.db, query, query.limit);
  }

  private read(table: RollupTable, dimension: RollupDimension, window: RollupWindow): Promise<RollupRead[]> {
    if (window.from >= window.to) return Promise.resolve([]);
    // Rows are points already when buckets are the table's own and one project's (or the
    // cross-project) rows are read: then a plain scan spares the database a grouping step.
    const rowMs = table === 'trace_rollup_minute' ? minuteMs : hourMs;
    const summed = window.size !== rowMs || (window.projects === eachProject && window.groupBy !== 'project_id');
    const joined = this.db.getExecutor().adapter instanceof PostgresAdapter ? 'string_agg' : 'group_concat';
    const total = (column: string) => (summed ? sql<number | string>`sum(${sql.ref(column)})` : sql<number>`${sql.ref(column)}`);
    const histogram = (column: string) =>
      summed ? sql<string>`${sql.raw(joined)}(${sql.ref(column)}, ',')` : sql<string>`${sql.ref(column)}`;
    const t =
      window.size === undefined ? sql<number>`0` : summed ? sql<number>`bucket - bucket % ${sql.lit(window.size)}` : sql<number>`bucket`;
    let select = this.db
      .selectFrom(table as 'trace_rollup_hour')
      .select([
        t.as('t'),
        (window.groupBy === undefined ? sql<string>`''` : sql<string>`${sql.ref(window.groupBy)}`).as('group'),
        total('requests').as('requests'),
        total('errors').as('errors'),
        total('input_tokens').as('input_tokens'),
        total('output_tokens').as('output_tokens'),
        total('cost_usd').as('cost_usd'),
        total('latency_ms_sum').as('latency_ms_sum'),
        histogram('latency_hist').as('latency_hist'),
        histogram('ttft_hist').as('ttft_hist'),
      ])
      .where('dimension', '=', dimension)
      .where('bucket', '>=', window.from)
      .where('bucket', '<', window.to);
    select =
      window.projects === eachProject ? select.where('project_id', '<>', allProjects) : select.where('project_id', '=', window.projects);
    return (summed ? select.groupBy([sql`1`, sql`2`]) : select).execute();
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function emptyTotals(): Totals {
  return {
    requests: 0,
    errors: 0,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: 0,
    latency_ms_sum: 0,
    latency: [],
    ttft: [],
  };
}

function addRow(totals: Totals, row: RollupRead): void {
  totals.requests += Number(row.requests);
  totals.errors += Number(row.errors);
  totals.input_tokens += Number(row.input_tokens);
  totals.output_tokens += Number(row.output_tokens);
  totals.cost_usd += Number(row.cost_usd);
  totals.latency_ms_sum += Number(row.latency_ms_sum);
  totals.latency.push(row.latency_hist);
  totals.ttft.push(row.ttft_hist);
}
