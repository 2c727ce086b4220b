/**
 * The dashboard's queries. Time series and summaries read the rollups (never the raw traces), so
 * their cost grows with buckets × groups, not with traffic: minute buckets read the per-minute
 * table, hour and day buckets the per-hour one. Windows are widened to whole buckets (UTC): a
 * bucket `t` covers [t, t + size). Without a project, the cross-project rows are read (one per
 * bucket and group: nothing to merge), except per key or per project, which read the project rows.
 * Percentiles come from merged histograms, within `histogramRelativeError` (~4.9%) of the exact
 * value. Top errors are exact, from their own hourly rollup and the traces at the window's edges.
 */
import type { Kysely } from 'kysely';
import { addEncodedInto, type DenseHistogram, denseHistogram, percentiles } from './latency-histogram.js';
import { readTopErrors, type TopError } from './trace-error-rollup.js';
import { allProjects, hourMs, minuteMs, type RollupDimension, type RollupTable } from './trace-rollups.js';
import type { Database } from './schema.js';

export type { TopError } from './trace-error-rollup.js';

export type StatsBucket = 'minute' | 'hour' | 'day';
export type StatsGroupBy = 'model' | 'key' | 'deployment' | 'project';

export const bucketMs: Record<StatsBucket, number> = { minute: minuteMs, hour: hourMs, day: 24 * hourMs };

export interface StatsWindow {
  /** Epoch ms, inclusive (widened down to its bucket). */
  from: number;
  /** Epoch ms, exclusive (widened up to a bucket boundary). */
  to: number;
  /** Only this project's traces; all projects when absent. */
  projectId?: string;
}

export interface StatsPoint {
  t: number;
  /** The group's value (model name, key id, deployment name, project id); null when ungrouped or none. */
  group: string | null;
  requests: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  ttft_p50_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface StatsSummary {
  from: number;
  to: number;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  avg_latency_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
}

interface RollupRead {
  bucket: number | string;
  project_id: string;
  value: string;
  requests: number | string;
  errors: number | string;
  input_tokens: number | string;
  output_tokens: number | string;
  cost_usd: number;
  latency_ms_sum: number;
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
}

interface Totals {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms_sum: number;
  latency: DenseHistogram;
  ttft: DenseHistogram;
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
    // Keys belong to one project, and per project means the project rows: no cross-project rows for those.
    const projects = query.projectId ?? (query.groupBy === 'key' || query.groupBy === 'project' ? eachProject : allProjects);
    const rows = await this.read(table, dimension, { from, to, projects });
    const points = new Map<string, { t: number; group: string | null; totals: Totals }>();
    for (const row of rows) {
      const t = Math.floor(Number(row.bucket) / size) * size;
      const group = query.groupBy === undefined ? null : query.groupBy === 'project' ? row.project_id : row.value === '' ? null : row.value;
      const id = `${t}\u0000${group ?? ''}`;
      let point = points.get(id);
      if (point === undefined) {
        point = { t, group, totals: emptyTotals() };
        points.set(id, point);
      }
      addRow(point.totals, row);
    }
    return [...points.values()]
      .sort((a, b) => a.t - b.t || compareText(a.group ?? '', b.group ?? ''))
      .map(({ t, group, totals }) => {
        const [p50, p95, p99] = percentiles(totals.latency, [0.5, 0.95, 0.99]);
        const [ttft50] = percentiles(totals.ttft, [0.5]);
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
    const [p50, p95, p99] = percentiles(totals.latency, [0.5, 0.95, 0.99]);
    const [ttft50, ttft95] = percentiles(totals.ttft, [0.5, 0.95]);
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
    let select = this.db
      .selectFrom(table as 'trace_rollup_hour')
      .select([
        'bucket',
        'project_id',
        'value',
        'requests',
        'errors',
        'input_tokens',
        'output_tokens',
        'cost_usd',
        'latency_ms_sum',
        'latency_hist',
        'ttft_hist',
      ])
      .where('dimension', '=', dimension)
      .where('bucket', '>=', window.from)
      .where('bucket', '<', window.to);
    select =
      window.projects === eachProject ? select.where('project_id', '<>', allProjects) : select.where('project_id', '=', window.projects);
    return select.execute();
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
    latency: denseHistogram(),
    ttft: denseHistogram(),
  };
}

function addRow(totals: Totals, row: RollupRead): void {
  totals.requests += Number(row.requests);
  totals.errors += Number(row.errors);
  totals.input_tokens += Number(row.input_tokens);
  totals.output_tokens += Number(row.output_tokens);
  totals.cost_usd += Number(row.cost_usd);
  totals.latency_ms_sum += Number(row.latency_ms_sum);
  addEncodedInto(totals.latency, row.latency_hist);
  addEncodedInto(totals.ttft, row.ttft_hist);
}
