/** Requests, errors, latency, time to first token, tokens and cost over time, split by a dimension; top errors. */
import { useMemo, useState, type ReactNode } from 'react';
import type { StatsBucket, StatsGroupBy, StatsPoint, StatsSummary, StatsTimeseries, TopError } from '../../../src/sdk/browser.js';
import { AsyncView, Empty, useAsync } from '../components/async.js';
import { color, ShareBar, TimeChart, type Series } from '../components/chart.js';
import { count, dateTime, ms, percent, usd } from '../components/format.js';
import { useClient } from '../session.js';

const ranges = {
  '1h': { label: 'Last hour', span: 3_600_000, bucket: 'minute' },
  '24h': { label: 'Last 24 hours', span: 86_400_000, bucket: 'hour' },
  '7d': { label: 'Last 7 days', span: 7 * 86_400_000, bucket: 'hour' },
  '30d': { label: 'Last 30 days', span: 30 * 86_400_000, bucket: 'day' },
} as const satisfies Record<string, { label: string; span: number; bucket: StatsBucket }>;
type RangeName = keyof typeof ranges;

const groupings: { value: StatsGroupBy; label: string }[] = [
  { value: 'model', label: 'Model' },
  { value: 'key', label: 'Key' },
  { value: 'deployment', label: 'Deployment' },
  { value: 'project', label: 'Project' },
];

interface Totals {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

function totals(points: StatsPoint[]): Totals {
  const sum: Totals = { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
  for (const point of points) {
    sum.requests += point.requests;
    sum.errors += point.errors;
    sum.input_tokens += point.input_tokens;
    sum.output_tokens += point.output_tokens;
    sum.cost_usd += point.cost_usd;
  }
  return sum;
}

/**
 * Every bucket of the window, in order: the API leaves out buckets without traffic, which a chart
 * must show as zero calls (and no latency), not as a line across the gap.
 */
function fillBuckets(series: StatsTimeseries, points: StatsPoint[]): StatsPoint[] {
  const byTime = new Map(points.map((point) => [point.t, point]));
  const filled: StatsPoint[] = [];
  for (let t = series.from; t < series.to && filled.length < 2_000; t += series.bucket_ms) {
    filled.push(
      byTime.get(t) ?? {
        t,
        group: null,
        requests: 0,
        errors: 0,
        p50_ms: null,
        p95_ms: null,
        p99_ms: null,
        ttft_p50_ms: null,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0,
      },
    );
  }
  return filled;
}

/** One chart line per picked field: `[label, pick, color index]`. */
function lines(points: StatsPoint[], picks: [string, (point: StatsPoint) => number | null, number][]): Series[] {
  return picks.map(([label, pick, index]) => ({ label, values: points.map(pick), color: color(index) }));
}

export function DashboardPage(): ReactNode {
  const client = useClient();
  const [range, setRange] = useState<RangeName>('24h');
  const [groupBy, setGroupBy] = useState<StatsGroupBy>('model');
  const [now, setNow] = useState(() => Date.now());
  const period = ranges[range];
  const from = now - period.span;
  const overall = useAsync(
    () =>
      Promise.all([client.stats.summary({ from, to: now }), client.stats.timeseries({ from, to: now, bucket: period.bucket })]).then(
        ([summary, series]) => ({ summary, series }),
      ),
    [client, from, now, period.bucket],
  );
  const grouped = useAsync(
    () => client.stats.timeseries({ from, to: now, bucket: period.bucket, group_by: groupBy }),
    [client, from, now, period.bucket, groupBy],
  );
  const errors = useAsync(() => client.stats.topErrors({ from, to: now, limit: 10 }), [client, from, now]);
  return (
    <section>
      <header className="page-header">
        <h1>Dashboard</h1>
        <form className="inline" onSubmit={(event) => event.preventDefault()}>
          <label htmlFor="range">Period</label>
          <select id="range" value={range} onChange={(event) => setRange(event.target.value as RangeName)}>
            {Object.entries(ranges).map(([name, value]) => (
              <option key={name} value={name}>
                {value.label}
              </option>
            ))}
          </select>
          <button type="button" className="secondary" onClick={() => setNow(Date.now())}>
            Refresh
          </button>
        </form>
      </header>
      <AsyncView data={overall} what="statistics">
        {(value) => <Overview summary={value.summary} series={value.series} />}
      </AsyncView>
      <h2>Breakdown</h2>
      <form className="inline" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="group-by">Split by</label>
        <select id="group-by" value={groupBy} onChange={(event) => setGroupBy(event.target.value as StatsGroupBy)}>
          {groupings.map((grouping) => (
            <option key={grouping.value} value={grouping.value}>
              {grouping.label}
            </option>
          ))}
        </select>
      </form>
      <AsyncView data={grouped} what="the breakdown">
        {(value) => <Breakdown series={value} groupLabel={groupings.find((grouping) => grouping.value === groupBy)?.label ?? groupBy} />}
      </AsyncView>
      <h2>Top errors</h2>
      <AsyncView data={errors} what="errors">
        {(value) => <TopErrors errors={value.data} />}
      </AsyncView>
    </section>
  );
}

function Overview(props: { summary: StatsSummary; series: StatsTimeseries }): ReactNode {
  const points = useMemo(() => fillBuckets(props.series, props.series.buckets), [props.series]);
  const times = useMemo(() => points.map((point) => point.t), [points]);
  const range = useMemo((): [number, number] => [props.series.from, props.series.to], [props.series]);
  const charts = useMemo(
    () => ({
      traffic: lines(points, [
        ['Requests', (p) => p.requests, 0],
        ['Errors', (p) => p.errors, 1],
      ]),
      latency: lines(points, [
        ['p50', (p) => p.p50_ms, 0],
        ['p95', (p) => p.p95_ms, 4],
        ['p99', (p) => p.p99_ms, 1],
        ['TTFT p50', (p) => p.ttft_p50_ms, 2],
      ]),
      tokens: lines(points, [
        ['Input', (p) => p.input_tokens, 0],
        ['Output', (p) => p.output_tokens, 3],
      ]),
      cost: lines(points, [['Cost', (p) => p.cost_usd, 2]]),
    }),
    [points],
  );
  const sum = props.summary;
  if (sum.requests === 0) {
    return (
      <Empty>
        <p>No calls in this period yet.</p>
        <p>
          Send one through the gateway (<code>POST /v1/chat/completions</code> with a project key) and refresh.
        </p>
      </Empty>
    );
  }
  return (
    <>
      <dl className="tiles">
        <Tile label="Requests" value={count(sum.requests)} />
        <Tile label="Errors" value={`${count(sum.errors)} (${percent(sum.errors, sum.requests)})`} />
        <Tile label="Input tokens" value={count(sum.input_tokens)} />
        <Tile label="Output tokens" value={count(sum.output_tokens)} />
        <Tile label="Cost" value={usd(sum.cost_usd)} />
        <Tile label="Latency p50 / p95 / p99" value={`${ms(sum.p50_ms)} / ${ms(sum.p95_ms)} / ${ms(sum.p99_ms)}`} />
        <Tile label="Time to first token p50 / p95" value={`${ms(sum.ttft_p50_ms)} / ${ms(sum.ttft_p95_ms)}`} />
      </dl>
      <div className="charts">
        <TimeChart title="Requests and errors" times={times} series={charts.traffic} range={range} />
        <TimeChart title="Latency and time to first token" times={times} series={charts.latency} unit=" ms" range={range} />
        <TimeChart title="Tokens" times={times} series={charts.tokens} range={range} />
        <TimeChart title="Cost (USD)" times={times} series={charts.cost} range={range} />
      </div>
    </>
  );
}

function Tile(props: { label: string; value: string }): ReactNode {
  return (
    <div className="tile">
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

interface GroupRow extends Totals {
  group: string;
  worstP95: number | null;
}

function groupRows(points: StatsPoint[]): GroupRow[] {
  const rows = new Map<string, StatsPoint[]>();
  for (const point of points) {
    const name = point.group ?? '(none)';
    rows.set(name, [...(rows.get(name) ?? []), point]);
  }
  return [...rows.entries()]
    .map(([group, list]) => {
      const p95s = list.map((point) => point.p95_ms).filter((value): value is number => value !== null);
      return { group, ...totals(list), worstP95: p95s.length === 0 ? null : Math.max(...p95s) };
    })
    .sort((a, b) => b.requests - a.requests);
}

function Breakdown(props: { series: StatsTimeseries; groupLabel: string }): ReactNode {
  const rows = useMemo(() => groupRows(props.series.buckets), [props.series]);
  const chart = useMemo(() => {
    const times = fillBuckets(props.series, []).map((point) => point.t);
    const series = rows.slice(0, 8).map((row, index) => {
      const byTime = new Map(props.series.buckets.filter((point) => (point.group ?? '(none)') === row.group).map((p) => [p.t, p.requests]));
      return { label: row.group, values: times.map((time) => byTime.get(time) ?? 0), color: color(index) };
    });
    return { times, series };
  }, [props.series, rows]);
  if (rows.length === 0) return <Empty>No calls to split in this period.</Empty>;
  const maxRequests = Math.max(...rows.map((row) => row.requests));
  return (
    <>
      <TimeChart
        title={`Requests by ${props.groupLabel.toLowerCase()}`}
        times={chart.times}
        series={chart.series}
        range={[props.series.from, props.series.to]}
      />
      <table>
        <caption className="visually-hidden">Totals by {props.groupLabel.toLowerCase()}</caption>
        <thead>
          <tr>
            <th scope="col">{props.groupLabel}</th>
            <th scope="col">Requests</th>
            <th scope="col">Errors</th>
            <th scope="col">Worst p95</th>
            <th scope="col">Tokens in / out</th>
            <th scope="col">Cost</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.group}>
              <th scope="row">{row.group}</th>
              <td>
                <ShareBar value={row.requests} max={maxRequests} label={`${row.requests} of ${maxRequests}`} /> {count(row.requests)}
              </td>
              <td>{count(row.errors)}</td>
              <td>{ms(row.worstP95)}</td>
              <td>
                {count(row.input_tokens)} / {count(row.output_tokens)}
              </td>
              <td>{usd(row.cost_usd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function TopErrors(props: { errors: TopError[] }): ReactNode {
  if (props.errors.length === 0) return <Empty>No errors in this period.</Empty>;
  return (
    <table>
      <caption className="visually-hidden">Top errors</caption>
      <thead>
        <tr>
          <th scope="col">Code</th>
          <th scope="col">Message</th>
          <th scope="col">Count</th>
          <th scope="col">Last seen</th>
        </tr>
      </thead>
      <tbody>
        {props.errors.map((error) => (
          <tr key={`${error.code}:${error.message}`}>
            <td>
              <code>{error.code}</code>
            </td>
            <td>{error.message}</td>
            <td>{count(error.count)}</td>
            <td>{dateTime(error.last_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
