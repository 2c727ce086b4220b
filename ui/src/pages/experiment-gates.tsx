/**
 * Gates on a completed run, as `fener eval run --gate` checks them: "rougeL>=0.40" against a fixed
 * threshold, "exact_match>=baseline-0.02" against a baseline run. Every gate is checked on every
 * variant; the table says, per gate and variant, whether it passed and why. The gates the run's
 * definition names are filled in, and checked as soon as the page shows the completed run.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { EvalRun, GateReport } from '../../../src/sdk/browser.js';
import { ErrorNotice, useAction, useAsync } from '../components/async.js';
import { listOf } from '../components/inputs.js';
import { number } from '../components/format.js';
import { useClient } from '../session.js';
import { runLabel } from './experiments.js';

export function GateCheck(props: { run: EvalRun; baseline?: EvalRun }): ReactNode {
  const client = useClient();
  const { run } = props;
  const [gates, setGates] = useState(run.config.gates.join('\n'));
  const [baseline, setBaseline] = useState(props.baseline?.id ?? '');
  const [report, setReport] = useState<GateReport | undefined>();
  const action = useAction();
  // Completed runs of the same experiment can be the baseline (and the one given, of any experiment).
  const others = useAsync(() => client.evals.runs({ experiment: run.experiment, limit: 50 }), [client, run.experiment]);
  const sameExperiment = others.state === 'ready' ? others.value.data.filter((other) => other.status === 'completed') : [];
  const baselines = [...(props.baseline ? [props.baseline] : []), ...sameExperiment].filter(
    (other, at, all) => other.id !== run.id && all.findIndex((entry) => entry.id === other.id) === at,
  );
  const check = (input: { gates: string[]; baseline?: string }): void => {
    setReport(undefined);
    void action.run(() => client.evals.checkGates(run.id, input)).then((result) => result && setReport(result));
  };
  useEffect(() => {
    if (run.config.gates.length > 0) check({ gates: run.config.gates, ...(props.baseline ? { baseline: props.baseline.id } : {}) });
  }, [client, run.id]);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    check({ gates: listOf(gates), ...(baseline ? { baseline } : {}) });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="gates-heading">
      <h2 id="gates-heading">Check gates</h2>
      <label htmlFor="gates">Gates, one per line (e.g. exact_match&gt;=0.8, rougeL&gt;=baseline-0.02)</label>
      <textarea id="gates" rows={3} value={gates} onChange={(event) => setGates(event.target.value)} required />
      <label htmlFor="gates-baseline">Baseline run</label>
      <select id="gates-baseline" value={baseline} onChange={(event) => setBaseline(event.target.value)}>
        <option value="">none (fixed thresholds only)</option>
        {baselines.map((other) => (
          <option key={other.id} value={other.id}>
            {runLabel(other)}
          </option>
        ))}
      </select>
      <button type="submit" disabled={action.pending}>
        Check
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
      {report ? <GateTable report={report} /> : null}
    </form>
  );
}

function GateTable(props: { report: GateReport }): ReactNode {
  const { report } = props;
  const failed = report.results.filter((result) => !result.passed).length;
  return (
    <>
      <p role="status">{report.passed ? 'All gates passed.' : `${failed} of ${report.results.length} failed.`}</p>
      <table>
        <caption className="visually-hidden">Gate results</caption>
        <thead>
          <tr>
            <th scope="col">Gate</th>
            <th scope="col">Variant</th>
            <th scope="col">Result</th>
            <th scope="col">Actual</th>
            <th scope="col">Threshold</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {report.results.map((result, index) => (
            <tr key={`${index}/${result.variant}`}>
              <th scope="row">{result.gate}</th>
              <td>{result.variant}</td>
              <td>
                <span className={`badge ${result.passed ? 'ok' : 'error'}`}>{result.passed ? 'passed' : 'failed'}</span>
              </td>
              <td>{result.actual === null ? '–' : number(result.actual)}</td>
              <td>{result.threshold === null ? '–' : number(result.threshold)}</td>
              <td>{result.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
