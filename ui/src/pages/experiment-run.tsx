/**
 * One experiment run: while it runs, its progress (read again every second) and a way to stop it;
 * stopped, a way to resume it; completed, its aggregates per variant (with confidence intervals, as
 * a table and a chart) and its gates; and its results, item by item.
 */
import { useEffect, type ReactNode } from 'react';
import type { EvalRun, RunSummary } from '../../../src/sdk/browser.js';
import { AsyncView, Empty, ErrorNotice, useAction, useAsync } from '../components/async.js';
import { PagerButtons, useCursorPages } from '../components/pager.js';
import { IntervalPlot } from '../components/bars.js';
import { count, dateTime, ms, number, percent, usd } from '../components/format.js';
import { Link } from '../router.js';
import { useClient, useRefresh } from '../session.js';
import { GateCheck } from './experiment-gates.js';

/** How often a running run is read again. */
const pollMs = 1000;

export function ExperimentRunPage(props: { id: string }): ReactNode {
  const client = useClient();
  const [poll, nextPoll] = useRefresh();
  const run = useAsync(() => client.evals.run(props.id), [client, props.id, poll]);
  const running = run.state === 'ready' && run.value.status === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(nextPoll, pollMs);
    return () => clearTimeout(timer);
  }, [running, run]);
  return (
    <section>
      <p>
        <Link to="/experiments">← Experiments</Link>
      </p>
      <AsyncView data={run} what="the run">
        {(value) => <RunView run={value} onChanged={nextPoll} />}
      </AsyncView>
    </section>
  );
}

/** Results a run will have when every item ran on every variant, once its item count is known. */
function expectedResults(run: EvalRun): number | null {
  return run.total_items === null ? null : run.total_items * run.config.variants.length;
}

function RunView(props: { run: EvalRun; onChanged(): void }): ReactNode {
  const { run } = props;
  const expected = expectedResults(run);
  return (
    <>
      <h1>
        Run <code>{run.id}</code>
      </h1>
      <dl className="facts">
        {(
          [
            ['Experiment', run.experiment],
            ['Status', run.status],
            [
              'Results',
              `${count(run.results)}${expected === null ? '' : ` of ${count(expected)} (${count(run.total_items ?? 0)} items × ${run.config.variants.length} variants)`}`,
            ],
            ['Dataset', datasetOf(run)],
            ['Seed', String(run.seed)],
            ['Started (UTC)', dateTime(run.created_at)],
            ['Finished (UTC)', dateTime(run.finished_at)],
            ['By', run.created_by],
          ] as const
        ).map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {run.status === 'completed' ? null : <RunControls run={run} expected={expected} onChanged={props.onChanged} />}
      {run.error ? (
        <div className="state error" role="alert">
          {run.error}
        </div>
      ) : null}
      {run.summary ? <Summary summary={run.summary} /> : <Empty>No aggregates yet: the run is {run.status}.</Empty>}
      {run.status === 'completed' ? <GateCheck run={run} /> : null}
      <Results run={run} />
    </>
  );
}

function datasetOf(run: EvalRun): string {
  const source = run.config.dataset;
  if ('dataset' in source) return source.dataset;
  if ('file' in source) return `file ${source.file}`;
  return `${count(source.items.length)} inline items`;
}

/** Progress while it runs (with Stop); Resume once it stopped or failed, for the items it has not finished. */
function RunControls(props: { run: EvalRun; expected: number | null; onChanged(): void }): ReactNode {
  const client = useClient();
  const { run } = props;
  const action = useAction();
  const act = (call: (id: string) => Promise<EvalRun>): void => void action.run(() => call(run.id)).then(props.onChanged);
  return (
    <div className="card">
      <div className="progress">
        <label htmlFor="run-progress">Progress</label>
        <progress id="run-progress" {...(props.expected === null ? {} : { value: run.results, max: props.expected })} />
        <span>
          {count(run.results)}
          {props.expected === null ? '' : ` of ${count(props.expected)}`} results
        </span>
      </div>
      {run.status === 'running' ? (
        <button type="button" className="danger" disabled={action.pending} onClick={() => act(client.evals.cancel)}>
          Stop the run
        </button>
      ) : (
        <button type="button" disabled={action.pending} onClick={() => act(client.evals.resume)}>
          Resume the run
        </button>
      )}
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </div>
  );
}

function Summary(props: { summary: RunSummary }): ReactNode {
  const { variants, bootstrap } = props.summary;
  const metrics = [...new Set(variants.flatMap((variant) => Object.keys(variant.scores)))].sort();
  return (
    <>
      <h2>Metrics</h2>
      <p className="muted">
        Means with {Math.round(bootstrap.confidence * 100)}% bootstrap intervals ({count(bootstrap.iterations)} resamples).
      </p>
      <table>
        <caption className="visually-hidden">Metrics per variant</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Model</th>
            {metrics.map((metric) => (
              <th scope="col" key={metric}>
                {metric}
              </th>
            ))}
            <th scope="col">Error rate</th>
            <th scope="col">Latency p50 / p95</th>
            <th scope="col">Cost per item</th>
          </tr>
        </thead>
        <tbody>
          {variants.map((variant) => (
            <tr key={variant.variant}>
              <th scope="row">{variant.variant}</th>
              <td>{variant.model}</td>
              {metrics.map((metric) => {
                const score = variant.scores[metric];
                return (
                  <td key={metric}>
                    {score ? `${number(score.mean)} [${number(score.low)}, ${number(score.high)}]` : '–'}
                    {score ? <span className="muted"> n={score.n}</span> : null}
                  </td>
                );
              })}
              <td>{percent(variant.errors, variant.items)}</td>
              <td>
                {ms(variant.latency_ms.p50)} / {ms(variant.latency_ms.p95)}
              </td>
              <td>{variant.cost_per_item_usd === null ? '–' : usd(variant.cost_per_item_usd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="charts">
        {metrics.map((metric) => (
          <IntervalPlot
            key={metric}
            title={`${metric} by variant`}
            rows={variants.flatMap((variant) => {
              const score = variant.scores[metric];
              return score ? [{ label: variant.variant, mean: score.mean, low: score.low, high: score.high }] : [];
            })}
          />
        ))}
      </div>
    </>
  );
}

function Results(props: { run: EvalRun }): ReactNode {
  const client = useClient();
  const pages = useCursorPages(
    (after: number | undefined) => client.evals.results(props.run.id, { limit: 25, ...(after === undefined ? {} : { after }) }),
    // Results arriving while the run goes on reload the page on screen.
    [client, props.run.id, props.run.results],
  );
  return (
    <>
      <h2>Results</h2>
      <AsyncView data={pages.page} what="results">
        {(shown) => (
          <>
            <table>
              <caption className="visually-hidden">Results per item and variant</caption>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Variant</th>
                  <th scope="col">Status</th>
                  <th scope="col">Scores</th>
                  <th scope="col">Output</th>
                  <th scope="col">Latency</th>
                  <th scope="col">Trace</th>
                </tr>
              </thead>
              <tbody>
                {shown.value.data.map((result) => (
                  <tr key={`${result.item_id}/${result.variant}`}>
                    <th scope="row">{result.item_id}</th>
                    <td>{result.variant}</td>
                    <td>{result.status === 'ok' ? 'ok' : `error: ${result.error ?? ''}`}</td>
                    <td>
                      {Object.entries(result.scores)
                        .map(([name, score]) => `${name} ${number(score)}`)
                        .join(', ') || '–'}
                    </td>
                    <td className="clip">{result.output ?? '–'}</td>
                    <td>{ms(result.latency_ms)}</td>
                    <td>{result.trace_id ? <Link to={`/traces/${encodeURIComponent(result.trace_id)}`}>trace</Link> : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <PagerButtons
              pages={pages}
              shown={shown}
              nextCursor={shown.value.next_after}
              labels={{ previous: 'Previous results', next: 'Next results' }}
            />
          </>
        )}
      </AsyncView>
    </>
  );
}
