/**
 * Two runs (or variants) side by side: per-metric paired differences with confidence intervals,
 * and the per-item differences of one metric, sortable, as a table and as bars; gates on the
 * candidate with the baseline as their baseline.
 */
import { useMemo, useState, type ReactNode } from 'react';
import type { EvalRun, ItemDifference, RunComparison } from '../../../src/sdk/browser.js';
import { AsyncView, useAsync } from '../components/async.js';
import { BarChart, IntervalPlot } from '../components/bars.js';
import { count, number } from '../components/format.js';
import { Link, navigate } from '../router.js';
import { useClient } from '../session.js';
import { GateCheck } from './experiment-gates.js';
import { comparePath, runPath, variantsOf } from './experiments.js';

interface CompareParams {
  baseline: string;
  candidate: string;
  baselineVariant?: string;
  candidateVariant?: string;
}

function paramsFromLocation(): CompareParams {
  const search = new URLSearchParams(window.location.search);
  const baselineVariant = search.get('baseline_variant') ?? undefined;
  const candidateVariant = search.get('candidate_variant') ?? undefined;
  return {
    baseline: search.get('baseline') ?? '',
    candidate: search.get('candidate') ?? '',
    ...(baselineVariant ? { baselineVariant } : {}),
    ...(candidateVariant ? { candidateVariant } : {}),
  };
}

function signed(value: number): string {
  return `${value > 0 ? '+' : ''}${number(value)}`;
}

export function ExperimentComparePage(): ReactNode {
  const client = useClient();
  const [params, setParams] = useState(paramsFromLocation);
  const [metric, setMetric] = useState<string | undefined>();
  const runs = useAsync(
    () => Promise.all([client.evals.run(params.baseline), client.evals.run(params.candidate)]),
    [client, params.baseline, params.candidate],
  );
  const comparison = useAsync(
    () =>
      client.evals.compare({
        baseline: { run: params.baseline, ...(params.baselineVariant ? { variant: params.baselineVariant } : {}) },
        candidate: { run: params.candidate, ...(params.candidateVariant ? { variant: params.candidateVariant } : {}) },
        ...(metric ? { metric } : {}),
        limit: 1000,
      }),
    [client, params, metric],
  );
  const change = (next: CompareParams): void => {
    setParams(next);
    navigate(comparePath(next));
  };
  return (
    <section>
      <p>
        <Link to="/experiments">← Experiments</Link>
      </p>
      <h1>Compare runs</h1>
      <AsyncView data={runs} what="the runs">
        {([baseline, candidate]) => <VariantPickers baseline={baseline} candidate={candidate} params={params} onChange={change} />}
      </AsyncView>
      <AsyncView data={comparison} what="the comparison">
        {(value) => <ComparisonView comparison={value} onMetric={setMetric} />}
      </AsyncView>
      {runs.state === 'ready' && runs.value[1].status === 'completed' ? (
        <GateCheck key={`${params.baseline}/${params.candidate}`} run={runs.value[1]} baseline={runs.value[0]} />
      ) : null}
    </section>
  );
}

function VariantPickers(props: {
  baseline: EvalRun;
  candidate: EvalRun;
  params: CompareParams;
  onChange(next: CompareParams): void;
}): ReactNode {
  const side = (run: EvalRun, role: 'baseline' | 'candidate'): ReactNode => {
    const variants = variantsOf(run);
    const key = role === 'baseline' ? 'baselineVariant' : 'candidateVariant';
    return (
      <div className="field">
        <p>
          {role === 'baseline' ? 'Baseline' : 'Candidate'}: <Link to={runPath(run.id)}>{run.id}</Link>{' '}
          <span className="muted">({run.experiment})</span>
        </p>
        {variants.length > 1 ? (
          <>
            <label htmlFor={`${role}-variant`}>{role === 'baseline' ? 'Baseline variant' : 'Candidate variant'}</label>
            <select
              id={`${role}-variant`}
              value={props.params[key] ?? ''}
              onChange={(event) => props.onChange({ ...props.params, [key]: event.target.value || undefined })}
            >
              <option value="">(same name as the other side)</option>
              {variants.map((variant) => (
                <option key={variant} value={variant}>
                  {variant}
                </option>
              ))}
            </select>
          </>
        ) : (
          <p className="muted">variant {variants[0] ?? '–'}</p>
        )}
      </div>
    );
  };
  return (
    <div className="filters">
      {side(props.baseline, 'baseline')}
      {side(props.candidate, 'candidate')}
    </div>
  );
}

function ComparisonView(props: { comparison: RunComparison; onMetric(metric: string): void }): ReactNode {
  const { comparison } = props;
  const metrics = Object.entries(comparison.metrics);
  return (
    <>
      <p>
        {comparison.baseline.run}:{comparison.baseline.variant} → {comparison.candidate.run}:{comparison.candidate.variant} over{' '}
        <strong>{count(comparison.paired_items)}</strong> paired items.
      </p>
      <h2>Per metric (candidate − baseline)</h2>
      <table>
        <caption className="visually-hidden">Metric differences</caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Mean difference</th>
            <th scope="col">95% interval</th>
            <th scope="col">p-value</th>
            <th scope="col">Wins / losses / ties</th>
          </tr>
        </thead>
        <tbody>
          {metrics.map(([name, paired]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{signed(paired.meanDifference)}</td>
              <td>
                [{number(paired.low)}, {number(paired.high)}]
                {paired.low > 0 ? (
                  <span className="badge ok">better</span>
                ) : paired.high < 0 ? (
                  <span className="badge error">worse</span>
                ) : null}
              </td>
              <td>{number(paired.pValue)}</td>
              <td>
                {paired.wins} / {paired.losses} / {paired.ties}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {metrics.length > 0 ? (
        <IntervalPlot
          title="Differences with confidence intervals"
          zero
          rows={metrics.map(([name, paired]) => ({ label: name, mean: paired.meanDifference, low: paired.low, high: paired.high }))}
        />
      ) : null}
      {comparison.metric ? (
        <ItemDifferences
          key={comparison.metric}
          metric={comparison.metric}
          metrics={metrics.map(([name]) => name)}
          items={comparison.items}
          onMetric={props.onMetric}
        />
      ) : null}
    </>
  );
}

type SortKey = 'difference' | 'item_id' | 'baseline' | 'candidate';

function ItemDifferences(props: { metric: string; metrics: string[]; items: ItemDifference[]; onMetric(metric: string): void }): ReactNode {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'difference', descending: true });
  const sorted = useMemo(() => {
    const direction = sort.descending ? -1 : 1;
    return [...props.items].sort((a, b) => {
      const order = sort.key === 'item_id' ? a.item_id.localeCompare(b.item_id) : a[sort.key] - b[sort.key];
      return order * direction || a.item_id.localeCompare(b.item_id);
    });
  }, [props.items, sort]);
  const header = (key: SortKey, label: string): ReactNode => {
    const active = sort.key === key;
    return (
      <th scope="col" aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
        <button type="button" className="link" onClick={() => setSort({ key, descending: active ? !sort.descending : key !== 'item_id' })}>
          {label} {active ? (sort.descending ? '↓' : '↑') : ''}
        </button>
      </th>
    );
  };
  return (
    <>
      <h2>Per item</h2>
      <div className="inline">
        <label htmlFor="compare-metric">Metric</label>
        <select id="compare-metric" value={props.metric} onChange={(event) => props.onMetric(event.target.value)}>
          {props.metrics.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <BarChart
        title={`${props.metric}: candidate − baseline per item`}
        labels={sorted.map((item) => item.item_id)}
        values={sorted.map((item) => item.difference)}
      />
      <table className="item-differences">
        <caption className="visually-hidden">Per-item differences of {props.metric}</caption>
        <thead>
          <tr>
            {header('item_id', 'Item')}
            {header('baseline', 'Baseline')}
            {header('candidate', 'Candidate')}
            {header('difference', 'Difference')}
          </tr>
        </thead>
        <tbody>
          {sorted.map((item) => (
            <tr key={item.item_id}>
              <th scope="row">{item.item_id}</th>
              <td>{number(item.baseline)}</td>
              <td>{number(item.candidate)}</td>
              <td className={item.difference > 0 ? 'up' : item.difference < 0 ? 'down' : undefined}>{signed(item.difference)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
