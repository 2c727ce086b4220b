/** Shapes of the dashboard's `/api/stats` answers. */

export type StatsBucket = 'minute' | 'hour' | 'day';
export type StatsGroupBy = 'model' | 'key' | 'deployment' | 'project';

/** A window of time, and for the admin key optionally one project (a project key always sees its own). */
export interface StatsWindow {
  /** Epoch ms (inclusive); default 24 hours before `to`. */
  from?: number;
  /** Epoch ms (exclusive); default now. */
  to?: number;
  /** Project name. */
  project?: string;
}

export interface StatsQuery extends StatsWindow {
  bucket: StatsBucket;
  /** Split each bucket by this dimension; without it every point has `group: null`. */
  group_by?: StatsGroupBy;
}

/** One time bucket (of one group when grouped). */
export interface StatsPoint {
  /** Bucket start, epoch ms. */
  t: number;
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

export interface StatsTimeseries {
  /** Bucket size in ms. */
  bucket_ms: number;
  /** The window, widened to whole buckets. */
  from: number;
  to: number;
  buckets: StatsPoint[];
}

/** Totals and percentiles over a whole window (percentiles from histograms, within a small relative error). */
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

export interface TopError {
  code: string;
  message: string;
  count: number;
  last_at: number;
}
