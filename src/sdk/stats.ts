/** Shapes of the dashboard's `/api/stats` answers (the points, totals and errors are core's wire shapes). */
import type { StatsBucket, StatsGroupBy, StatsPoint, StatsSummary, TopError } from '../core/contracts.js';

export type { StatsBucket, StatsGroupBy, StatsPoint, StatsSummary, TopError };

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

export interface StatsTimeseries {
  /** Bucket size in ms. */
  bucket_ms: number;
  /** The window, widened to whole buckets. */
  from: number;
  to: number;
  buckets: StatsPoint[];
}
