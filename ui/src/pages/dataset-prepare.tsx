/**
 * A dataset's version out and new versions in (admin key): download a version as JSONL or CSV
 * (fetched with the key through the SDK, then saved from memory), split it into train /
 * validation / test, run preparation steps picked from a list (dataset-steps.tsx), or a pipeline
 * written as YAML. Each new version appears in the versions table, and the report says what every
 * step kept and dropped.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { DatasetDetail, ItemSplit, PipelineReport } from '../../../src/sdk/browser.js';
import { ErrorNotice, useAction } from '../components/async.js';
import { useClient } from '../session.js';
import { newStepDraft, stepInput, StepList, type StepDraft } from './dataset-steps.js';

const splits: ItemSplit[] = ['train', 'validation', 'test'];

const examplePipeline = ['steps:', '  - step: normalize', '  - step: dedupe', '  - step: length', '    max_chars: 4000'].join('\n');

/** Hands text to the browser as a file download. */
function saveFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

function VersionSelect(props: {
  id: string;
  label: string;
  dataset: DatasetDetail;
  value: string;
  onChange(value: string): void;
}): ReactNode {
  return (
    <div>
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(event) => props.onChange(event.target.value)}>
        {props.dataset.versions.map((version) => (
          <option key={version.version} value={version.version}>
            v{version.version} ({version.item_count} items)
          </option>
        ))}
      </select>
    </div>
  );
}

export function DatasetExport(props: { dataset: DatasetDetail }): ReactNode {
  const client = useClient();
  const { dataset } = props;
  const [version, setVersion] = useState(String(dataset.latest_version));
  const [format, setFormat] = useState<'jsonl' | 'csv'>('jsonl');
  const [split, setSplit] = useState<ItemSplit | ''>('');
  const action = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const query = { format, ...(split ? { split } : {}) };
    void action
      .run(() => client.datasets.exportText(dataset.name, Number(version), query))
      .then((text) => {
        if (text === undefined) return;
        const name = `${dataset.name}-v${version}${split ? `-${split}` : ''}.${format}`;
        saveFile(name, text, format === 'csv' ? 'text/csv' : 'application/x-ndjson');
      });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="export-heading">
      <h2 id="export-heading">Export</h2>
      <div className="grid">
        <VersionSelect id="export-version" label="Version to export" dataset={dataset} value={version} onChange={setVersion} />
        <div>
          <label htmlFor="export-format">Format</label>
          <select id="export-format" value={format} onChange={(event) => setFormat(event.target.value as 'jsonl' | 'csv')}>
            <option value="jsonl">JSONL</option>
            <option value="csv">CSV</option>
          </select>
        </div>
        <div>
          <label htmlFor="export-split">Split</label>
          <select id="export-split" value={split} onChange={(event) => setSplit(event.target.value as ItemSplit | '')}>
            <option value="">all items</option>
            {splits.map((entry) => (
              <option key={entry}>{entry}</option>
            ))}
          </select>
        </div>
      </div>
      <button type="submit" disabled={action.pending}>
        Download
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}

function PipelineResult(props: { report: PipelineReport }): ReactNode {
  const { report } = props;
  return (
    <>
      <p role="status">
        v{report.from_version} → v{report.final_version}
      </p>
      <table>
        <caption className="visually-hidden">Steps run</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Version</th>
            <th scope="col">Items</th>
            <th scope="col">Dropped</th>
          </tr>
        </thead>
        <tbody>
          {report.steps.map((step) => (
            <tr key={step.version}>
              <th scope="row">{step.step}</th>
              <td>
                v{step.version}
                {step.created ? '' : ' (already there)'}
              </td>
              <td>{step.item_count}</td>
              <td>{step.dropped}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function DatasetPrepare(props: { dataset: DatasetDetail; onChanged(): void }): ReactNode {
  const client = useClient();
  const { dataset } = props;
  const [version, setVersion] = useState(String(dataset.latest_version));
  const [how, setHow] = useState<'split' | 'steps' | 'pipeline'>('split');
  const [steps, setSteps] = useState<StepDraft[]>([newStepDraft('dedupe')]);
  const [ratios, setRatios] = useState({ train: '0.8', validation: '0.1', test: '0.1' });
  const [seed, setSeed] = useState('1');
  const [pipeline, setPipeline] = useState(examplePipeline);
  const [report, setReport] = useState<PipelineReport | undefined>();
  const action = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setReport(undefined);
    const from = Number(version);
    const run = {
      split: () =>
        client.datasets.split(dataset.name, {
          version: from,
          seed,
          train: Number(ratios.train),
          validation: Number(ratios.validation),
          test: Number(ratios.test),
        }),
      steps: () => client.datasets.prepare(dataset.name, { version: from, steps: steps.map(stepInput) }),
      pipeline: () => client.datasets.prepare(dataset.name, { version: from, pipeline_yaml: pipeline }),
    }[how];
    void action.run(run).then((result) => {
      if (!result) return;
      setReport(result);
      props.onChanged();
    });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="prepare-heading">
      <h2 id="prepare-heading">Prepare a new version</h2>
      <fieldset>
        <legend>How</legend>
        <label className="checkbox">
          <input type="radio" name="prepare-how" checked={how === 'split'} onChange={() => setHow('split')} /> Split into train / validation
          / test
        </label>
        <label className="checkbox">
          <input type="radio" name="prepare-how" checked={how === 'steps'} onChange={() => setHow('steps')} /> Run steps (dedupe, filter,
          redact…)
        </label>
        <label className="checkbox">
          <input type="radio" name="prepare-how" checked={how === 'pipeline'} onChange={() => setHow('pipeline')} /> Run a pipeline written
          as YAML
        </label>
      </fieldset>
      <div className="grid">
        <VersionSelect id="prepare-version" label="Start from version" dataset={dataset} value={version} onChange={setVersion} />
        {how === 'split' ? (
          <>
            {splits.map((entry) => (
              <div key={entry}>
                <label htmlFor={`ratio-${entry}`}>Share for {entry}</label>
                <input
                  id={`ratio-${entry}`}
                  inputMode="decimal"
                  value={ratios[entry]}
                  onChange={(event) => setRatios((all) => ({ ...all, [entry]: event.target.value }))}
                />
              </div>
            ))}
            <div>
              <label htmlFor="split-seed">Seed</label>
              <input id="split-seed" value={seed} onChange={(event) => setSeed(event.target.value)} />
            </div>
          </>
        ) : null}
      </div>
      {how === 'steps' ? <StepList steps={steps} onChange={setSteps} /> : null}
      {how === 'pipeline' ? (
        <>
          <label htmlFor="pipeline-yaml">Pipeline (YAML: normalize, dedupe, near_dedupe, length, language, pii, split…)</label>
          <textarea id="pipeline-yaml" rows={8} value={pipeline} onChange={(event) => setPipeline(event.target.value)} spellCheck={false} />
        </>
      ) : null}
      <button type="submit" disabled={action.pending}>
        {{ split: 'Split', steps: 'Run steps', pipeline: 'Run pipeline' }[how]}
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
      {report ? <PipelineResult report={report} /> : null}
    </form>
  );
}
