/**
 * A new experiment run from the console (admin key): a stored dataset version (or one split of
 * it), one or more variants, the metrics and judges that score them, how many calls at once, and
 * the gates its page checks once it completes. The definition is what `eval.yaml` holds; the server
 * checks it (fields, metric options, models) and names what it refuses, and what was typed stays.
 * Started, the run's page follows it.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { Dataset, Deployment, ExperimentInput, MetricInfo, PromptSummary } from '../../../src/sdk/browser.js';
import { AsyncView, Empty, ErrorNotice, useAction, useAsync } from '../components/async.js';
import { listOf, optionalNumber } from '../components/inputs.js';
import { Link, navigate } from '../router.js';
import { useClient } from '../session.js';
import { runPath } from './experiments.js';
import {
  blankJudge,
  judgeDefinition,
  JudgeFields,
  metricDefinitions,
  MetricFields,
  type JudgeDraft,
  type MetricChoice,
} from './experiment-scorers.js';
import { blankVariant, variantDefinition, VariantFields, type VariantDraft } from './experiment-variants.js';

export function NewRunPage(): ReactNode {
  const client = useClient();
  const choices = useAsync(
    () =>
      Promise.all([client.datasets.list(), client.models.list(), client.evals.metrics(), client.prompts.list(), client.deployments.list()]),
    [client],
  );
  return (
    <section>
      <p>
        <Link to="/experiments">← Experiments</Link>
      </p>
      <h1>New run</h1>
      <AsyncView data={choices} what="datasets, models, metrics and prompts">
        {([datasets, models, metrics, prompts, deployments]) => {
          const usable = datasets.data.filter((entry) => entry.latest_version > 0);
          return usable.length === 0 ? (
            <Empty>
              To start a run, first make a dataset with items (<Link to="/datasets">Datasets</Link> → New dataset, then import items).
            </Empty>
          ) : (
            <NewRunForm
              datasets={usable}
              models={[...models.data.map((model) => model.name), ...deployments.data.map(deploymentModel)]}
              metrics={metrics.data}
              prompts={prompts.data}
            />
          );
        }}
      </AsyncView>
    </section>
  );
}

function deploymentModel(deployment: Deployment): string {
  return `deployment:${deployment.name}`;
}

const modelList = 'run-models';

function NewRunForm(props: { datasets: Dataset[]; models: string[]; metrics: MetricInfo[]; prompts: PromptSummary[] }): ReactNode {
  const client = useClient();
  const firstModel = props.models[0] ?? '';
  const [experiment, setExperiment] = useState('');
  const [dataset, setDataset] = useState(props.datasets[0]?.name ?? '');
  const [version, setVersion] = useState('latest');
  const [split, setSplit] = useState('');
  const [variants, setVariants] = useState<VariantDraft[]>([blankVariant(firstModel, props.prompts[0])]);
  const [metrics, setMetrics] = useState<MetricChoice>(
    props.metrics.some((metric) => metric.name === 'exact_match') ? { exact_match: {} } : {},
  );
  const [judges, setJudges] = useState<JudgeDraft[]>([]);
  const [concurrency, setConcurrency] = useState('8');
  const [limit, setLimit] = useState('');
  const [retries, setRetries] = useState('');
  const [seed, setSeed] = useState('');
  const [gates, setGates] = useState('');
  const action = useAction();
  const changeVariant = (index: number, patch: Partial<VariantDraft>): void =>
    setVariants((all) => all.map((variant, at) => (at === index ? { ...variant, ...patch } : variant)));
  const changeJudge = (index: number, patch: Partial<JudgeDraft>): void =>
    setJudges((all) => all.map((judge, at) => (at === index ? { ...judge, ...patch } : judge)));
  const definition = (): ExperimentInput => {
    const first = optionalNumber(limit);
    const retryCount = optionalNumber(retries);
    const seedValue = optionalNumber(seed);
    return {
      name: experiment.trim(),
      dataset: { dataset: `${dataset}@${version}${split ? `:${split}` : ''}` },
      variants: variants.map((draft, index) => variantDefinition(draft, index + 1)),
      metrics: metricDefinitions(props.metrics, metrics),
      judges: judges.map((draft, index) => judgeDefinition(draft, index + 1)),
      concurrency: Number(concurrency),
      ...(first === undefined ? {} : { limit: first }),
      ...(retryCount === undefined ? {} : { retries: retryCount }),
      ...(seedValue === undefined ? {} : { seed: seedValue }),
      gates: listOf(gates),
    };
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    // A field the browser cannot read (JSON) fails here, shown where the API's refusals are.
    void action.run(() => client.evals.start(definition())).then((run) => run && navigate(runPath(run.id)));
  };
  const selectedDataset = props.datasets.find((entry) => entry.name === dataset);
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-run">
      <h2 id="new-run">Start a run</h2>
      <datalist id={modelList}>
        {props.models.map((model) => (
          <option key={model} value={model} />
        ))}
      </datalist>
      <div className="grid">
        <div>
          <label htmlFor="run-experiment">Experiment name</label>
          <input id="run-experiment" value={experiment} onChange={(event) => setExperiment(event.target.value)} required />
        </div>
        <div>
          <label htmlFor="run-dataset">Dataset</label>
          <select
            id="run-dataset"
            value={dataset}
            onChange={(event) => {
              setDataset(event.target.value);
              setVersion('latest');
            }}
          >
            {props.datasets.map((entry) => (
              <option key={entry.name} value={entry.name}>
                {entry.name} (latest v{entry.latest_version})
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="run-version">Version</label>
          <select id="run-version" value={version} onChange={(event) => setVersion(event.target.value)}>
            <option value="latest">latest (v{selectedDataset?.latest_version})</option>
            {Array.from({ length: selectedDataset?.latest_version ?? 0 }, (_, at) =>
              String((selectedDataset?.latest_version ?? 0) - at),
            ).map((entry) => (
              <option key={entry} value={entry}>
                v{entry}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="run-split">Split</label>
          <select id="run-split" value={split} onChange={(event) => setSplit(event.target.value)}>
            <option value="">all items</option>
            <option value="train">train</option>
            <option value="validation">validation</option>
            <option value="test">test</option>
          </select>
        </div>
      </div>
      <h3>Variants</h3>
      {variants.map((variant, index) => (
        <VariantFields
          key={index}
          index={index}
          draft={variant}
          prompts={props.prompts}
          modelList={modelList}
          onChange={(patch) => changeVariant(index, patch)}
          {...(variants.length > 1 ? { onRemove: () => setVariants((all) => all.filter((_, at) => at !== index)) } : {})}
        />
      ))}
      <button
        type="button"
        className="secondary"
        onClick={() => setVariants((all) => [...all, blankVariant(firstModel, props.prompts[0])])}
      >
        Add a variant
      </button>
      <h3>Scoring</h3>
      <MetricFields catalogue={props.metrics} chosen={metrics} onChange={setMetrics} />
      {judges.map((judge, index) => (
        <JudgeFields
          key={index}
          index={index}
          draft={judge}
          modelList={modelList}
          onChange={(patch) => changeJudge(index, patch)}
          onRemove={() => setJudges((all) => all.filter((_, at) => at !== index))}
        />
      ))}
      <button type="button" className="secondary" onClick={() => setJudges((all) => [...all, blankJudge(firstModel, all.length + 1)])}>
        Add a judge
      </button>
      <h3>Running</h3>
      <div className="grid">
        <NumberField id="run-concurrency" label="Calls at once" value={concurrency} onChange={setConcurrency} min={1} max={256} />
        <NumberField id="run-limit" label="Only the first N items" value={limit} onChange={setLimit} min={1} placeholder="all" />
        <NumberField id="run-retries" label="Retries per call" value={retries} onChange={setRetries} min={0} max={10} placeholder="3" />
        <NumberField id="run-seed" label="Seed" value={seed} onChange={setSeed} min={0} placeholder="0" />
      </div>
      <label htmlFor="run-gates">Gates checked on its page when it completes, one per line (e.g. exact_match&gt;=0.8)</label>
      <textarea id="run-gates" rows={2} value={gates} onChange={(event) => setGates(event.target.value)} />
      <button type="submit" disabled={action.pending}>
        Start run
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}

function NumberField(props: {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  min: number;
  max?: number;
  placeholder?: string;
}): ReactNode {
  return (
    <div>
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="number"
        min={props.min}
        max={props.max}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        placeholder={props.placeholder}
      />
    </div>
  );
}
