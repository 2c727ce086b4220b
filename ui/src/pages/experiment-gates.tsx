/**
 * Gates on a completed run, as `fener eval run --gate` checks them: "rougeL>=0.40" against a fixed
 * threshold, "exact_match>=baseline-0.02" against another run. Every gate is checked on every
 * variant; the table says which passed and by how much.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { EvalRun, GateReport } from '../../../src/sdk/browser.js';
import { ErrorNotice, useAction, useAsync } from '../components/async.js';
import { listOf } from '../components/inputs.js';
import { number } from '../components/format.js';
import { useClient } from '../session.js';
import { runLabel } from './experiments.js';

export function GateCheck(props: { run: EvalRun }): ReactNode {
  const client = useClient();
  const [gates, setGates] = useState('');
  const [baseline, setBaseline] = useState('');
  const [report, setReport] = useState<GateReport | undefined>();
  const action = useAction();
  // Completed runs of the same experiment can be the baseline.
  const others = useAsync(() => client.evals.runs({ experiment: props.run.experiment, limit: 50 }), [client, props.run.experiment]);
  const baselines =
    others.state === 'ready' ? others.value.data.filter((run) => run.id !== props.run.id && run.status === 'completed') : [];
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setReport(undefined);
    const input = { gates: listOf(gates), ...(baseline ? { baseline } : {}) };
    void action.run(() => client.evals.checkGates(props.run.id, input)).then((result) => result && setReport(result));
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="gates-heading">
      <h2 id="gates-heading">Check gates</h2>
      <label htmlFor="gates">Gates, one per line (e.g. exact_match&gt;=0.8, rougeL&gt;=baseline-0.02)</label>
      <textarea id="gates" rows={3} value={gates} onChange={(event) => setGates(event.target.value)} required />
      <label htmlFor="gates-baseline">Baseline run</label>
      <select id="gates-baseline" value={baseline} onChange={(event) => setBaseline(event.target.value)}>
        <option value="">none (fixed thresholds only)</option>
        {baselines.map((run) => (
          <option key={run.id} value={run.id}>
            {runLabel(run)}
          </option>
        ))}
      </select>
      <button type="submit" disabled={action.pending}>
        Check
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
      {report ? (
        <>
          <p role="status">{report.passed ? 'All gates passed.' : `${report.results.filter((result) => !result.passed).length} failed.`}</p>
          <table>
            <caption className="visually-hidden">Gate results</caption>
            <thead>
              <tr>
                <th scope="col">Gate</th>
                <th scope="col">Variant</th>
                <th scope="col">Result</th>
                <th scope="col">Actual</th>
                <th scope="col">Threshold</th>
              </tr>
            </thead>
            <tbody>
              {report.results.map((result) => (
                <tr key={`${result.gate}/${result.variant}`}>
                  <th scope="row">{result.gate}</th>
                  <td>{result.variant}</td>
                  <td>{result.passed ? 'passed' : 'failed'}</td>
                  <td>{result.actual === null ? '–' : number(result.actual)}</td>
                  <td>{result.threshold === null ? '–' : number(result.threshold)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </form>
  );
}
