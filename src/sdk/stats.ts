/** Shapes of the dashboard's `/api/stats` answers. */

export type StatsBucket = 'minute' | 'hour' | 'day';
export type StatsGroupBy = 'model' | 'key' | 'deployment' | 'project';

export interface StatsQuery {
  /** Epoch ms (inclusive). */
  from: number;
  /** Epoch ms (exclusive). */
  to: number;
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
  buckets: StatsPoint[];
}

export interface TopError {
  code: string;
  message: string;
  count: number;
  last_at: number;
}
