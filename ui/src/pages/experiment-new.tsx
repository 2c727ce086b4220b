/**
 * A new experiment run from the console (admin key): a stored dataset version, one or more
 * variants (a gateway model, or a managed prompt, with its parameters), the metrics to score, and
 * how many calls at once. The definition is what `eval.yaml` holds; the server checks it and
 * names the field it refuses, and what was typed stays.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { Dataset, GatewayModel } from '../../../src/sdk/browser.js';
import { ErrorNotice, useAction } from '../components/async.js';
import { optionalNumber } from '../components/inputs.js';
import { navigate } from '../router.js';
import { useClient } from '../session.js';
import { runPath } from './experiments.js';

interface VariantDraft {
  /** A gateway model name, or a prompt reference (NAME@LABEL or NAME@VERSION). */
  source: 'model' | 'prompt';
  target: string;
  name: string;
  temperature: string;
  maxTokens: string;
}

const blankVariant = (model: string): VariantDraft => ({ source: 'model', target: model, name: '', temperature: '0', maxTokens: '' });

function variantDefinition(draft: VariantDraft): Record<string, unknown> {
  const temperature = optionalNumber(draft.temperature);
  const maxTokens = optionalNumber(draft.maxTokens);
  const parameters = {
    ...(temperature === undefined ? {} : { temperature }),
    ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
  };
  return {
    [draft.source]: draft.target.trim(),
    ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
    parameters,
  };
}

export function NewRunForm(props: { datasets: Dataset[]; models: GatewayModel[]; metrics: string[] }): ReactNode {
  const client = useClient();
  const firstModel = props.models[0]?.name ?? '';
  const [experiment, setExperiment] = useState('');
  const [dataset, setDataset] = useState(props.datasets[0]?.name ?? '');
  const [version, setVersion] = useState('latest');
  const [split, setSplit] = useState('');
  const [variants, setVariants] = useState<VariantDraft[]>([blankVariant(firstModel)]);
  const [metrics, setMetrics] = useState<string[]>(props.metrics.includes('exact_match') ? ['exact_match'] : []);
  const [concurrency, setConcurrency] = useState('8');
  const [limit, setLimit] = useState('');
  const action = useAction();
  const change = (index: number, patch: Partial<VariantDraft>): void =>
    setVariants((all) => all.map((variant, at) => (at === index ? { ...variant, ...patch } : variant)));
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const first = optionalNumber(limit);
    const definition = {
      name: experiment.trim(),
      dataset: { dataset: `${dataset}@${version.trim() || 'latest'}${split ? `:${split}` : ''}` },
      variants: variants.map(variantDefinition),
      metrics,
      concurrency: Number(concurrency),
      ...(first === undefined ? {} : { limit: first }),
    };
    void action.run(() => client.evals.start(definition)).then((run) => run && navigate(runPath(run.id)));
  };
  const selectedDataset = props.datasets.find((entry) => entry.name === dataset);
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-run">
      <h2 id="new-run">Start a run</h2>
      <div className="grid">
        <div>
          <label htmlFor="run-experiment">Experiment name</label>
          <input id="run-experiment" value={experiment} onChange={(event) => setExperiment(event.target.value)} required />
        </div>
        <div>
          <label htmlFor="run-dataset">Dataset</label>
          <select id="run-dataset" value={dataset} onChange={(event) => setDataset(event.target.value)} required>
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
            <option value="latest">latest</option>
            {Array.from({ length: selectedDataset?.latest_version ?? 0 }, (_, index) => String(index + 1)).map((entry) => (
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
        <div>
          <label htmlFor="run-concurrency">Calls at once</label>
          <input
            id="run-concurrency"
            type="number"
            min={1}
            max={256}
            value={concurrency}
            onChange={(event) => setConcurrency(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor="run-limit">Only the first N items</label>
          <input id="run-limit" type="number" min={1} value={limit} onChange={(event) => setLimit(event.target.value)} placeholder="all" />
        </div>
      </div>
      {variants.map((variant, index) => (
        <fieldset key={index} className="variant">
          <legend>Variant {index + 1}</legend>
          <div className="grid">
            <div>
              <label htmlFor={`variant-${index}-source`}>Calls</label>
              <select
                id={`variant-${index}-source`}
                value={variant.source}
                onChange={(event) => {
                  const source = event.target.value as 'model' | 'prompt';
                  change(index, { source, target: source === 'model' ? firstModel : '' });
                }}
              >
                <option value="model">a model</option>
                <option value="prompt">a managed prompt</option>
              </select>
            </div>
            <div>
              {variant.source === 'model' ? (
                <>
                  <label htmlFor={`variant-${index}-target`}>Model</label>
                  <select
                    id={`variant-${index}-target`}
                    value={variant.target}
                    onChange={(event) => change(index, { target: event.target.value })}
                  >
                    {props.models.map((model) => (
                      <option key={model.name}>{model.name}</option>
                    ))}
                  </select>
                </>
              ) : (
                <>
                  <label htmlFor={`variant-${index}-target`}>Prompt (NAME@LABEL or NAME@VERSION)</label>
                  <input
                    id={`variant-${index}-target`}
                    value={variant.target}
                    onChange={(event) => change(index, { target: event.target.value })}
                    required
                  />
                </>
              )}
            </div>
            <div>
              <label htmlFor={`variant-${index}-name`}>Variant name</label>
              <input
                id={`variant-${index}-name`}
                value={variant.name}
                onChange={(event) => change(index, { name: event.target.value })}
                placeholder="from the model or prompt"
              />
            </div>
            <div>
              <label htmlFor={`variant-${index}-temperature`}>Temperature</label>
              <input
                id={`variant-${index}-temperature`}
                inputMode="decimal"
                value={variant.temperature}
                onChange={(event) => change(index, { temperature: event.target.value })}
              />
            </div>
            <div>
              <label htmlFor={`variant-${index}-max-tokens`}>Max tokens</label>
              <input
                id={`variant-${index}-max-tokens`}
                type="number"
                min={1}
                value={variant.maxTokens}
                onChange={(event) => change(index, { maxTokens: event.target.value })}
                placeholder="model default"
              />
            </div>
          </div>
          {variants.length > 1 ? (
            <button type="button" className="secondary" onClick={() => setVariants((all) => all.filter((_, at) => at !== index))}>
              Remove variant {index + 1}
            </button>
          ) : null}
        </fieldset>
      ))}
      <button type="button" className="secondary" onClick={() => setVariants((all) => [...all, blankVariant(firstModel)])}>
        Add a variant
      </button>
      <fieldset>
        <legend>Metrics</legend>
        {props.metrics.map((metric) => (
          <label key={metric} className="checkbox">
            <input
              type="checkbox"
              checked={metrics.includes(metric)}
              onChange={(event) => setMetrics((all) => (event.target.checked ? [...all, metric] : all.filter((entry) => entry !== metric)))}
            />{' '}
            {metric}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={action.pending}>
        Start run
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}
