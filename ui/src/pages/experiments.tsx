/** Experiments: every run, newest first, and two of them picked for a comparison. */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { EvalRun } from '../../../src/sdk/browser.js';
import { AsyncView, Empty, useAsync } from '../components/async.js';
import { dateTime } from '../components/format.js';
import { Link, navigate } from '../router.js';
import { useClient } from '../session.js';

export function runPath(id: string): string {
  return `/experiments/runs/${encodeURIComponent(id)}`;
}

export function comparePath(input: { baseline: string; candidate: string; baselineVariant?: string; candidateVariant?: string }): string {
  const search = new URLSearchParams({ baseline: input.baseline, candidate: input.candidate });
  if (input.baselineVariant) search.set('baseline_variant', input.baselineVariant);
  if (input.candidateVariant) search.set('candidate_variant', input.candidateVariant);
  return `/experiments/compare?${search.toString()}`;
}

export function runLabel(run: EvalRun): string {
  return `${run.experiment} · ${run.id} · ${dateTime(run.created_at)}`;
}

export function variantsOf(run: EvalRun): string[] {
  return run.summary?.variants.map((variant) => variant.variant) ?? [];
}

export function ExperimentsPage(): ReactNode {
  const client = useClient();
  const runs = useAsync(() => client.evals.runs({ limit: 200 }), [client]);
  return (
    <section>
      <h1>Experiments</h1>
      <p>
        <Link to="/experiments/new" className="button">
          New run
        </Link>
      </p>
      <AsyncView data={runs} what="runs">
        {(value) =>
          value.data.length === 0 ? (
            <Empty>No runs yet: start one with New run, with `fener eval run --config eval.yaml`, or POST /api/evals/runs.</Empty>
          ) : (
            <>
              <RunsTable runs={value.data} />
              <ComparePicker runs={value.data.filter((run) => run.status === 'completed')} />
            </>
          )
        }
      </AsyncView>
    </section>
  );
}

function RunsTable(props: { runs: EvalRun[] }): ReactNode {
  return (
    <table>
      <caption className="visually-hidden">Runs, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Experiment</th>
          <th scope="col">Status</th>
          <th scope="col">Variants</th>
          <th scope="col">Results</th>
          <th scope="col">Started (UTC)</th>
        </tr>
      </thead>
      <tbody>
        {props.runs.map((run) => (
          <tr key={run.id}>
            <th scope="row">
              <Link to={runPath(run.id)}>{run.id}</Link>
            </th>
            <td>{run.experiment}</td>
            <td>
              <span className={`badge ${run.status === 'completed' ? 'ok' : run.status === 'failed' ? 'error' : ''}`}>{run.status}</span>
            </td>
            <td>{variantsOf(run).join(', ') || '–'}</td>
            <td>
              {run.results}
              {run.total_items === null ? '' : ` (${run.total_items} items)`}
            </td>
            <td>{dateTime(run.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ComparePicker(props: { runs: EvalRun[] }): ReactNode {
  const [baseline, setBaseline] = useState(props.runs[1]?.id ?? props.runs[0]?.id ?? '');
  const [candidate, setCandidate] = useState(props.runs[0]?.id ?? '');
  if (props.runs.length === 0) return null;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    navigate(comparePath({ baseline, candidate }));
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="compare-heading">
      <h2 id="compare-heading">Compare two runs</h2>
      <p className="muted">
        A paired bootstrap over the items both runs finished: per-metric differences with confidence intervals, item by item.
      </p>
      <RunSelect id="compare-baseline" label="Baseline run" runs={props.runs} value={baseline} onChange={setBaseline} />
      <RunSelect id="compare-candidate" label="Candidate run" runs={props.runs} value={candidate} onChange={setCandidate} />
      <button type="submit" disabled={baseline === '' || candidate === ''}>
        Compare
      </button>
    </form>
  );
}

function RunSelect(props: { id: string; label: string; runs: EvalRun[]; value: string; onChange(run: string): void }): ReactNode {
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(event) => props.onChange(event.target.value)}>
        {props.runs.map((run) => (
          <option key={run.id} value={run.id}>
            {runLabel(run)}
          </option>
        ))}
      </select>
    </>
  );
}
