/**
 * Starting a canary on a deployment (admin key): the baseline (the active version) and one or
 * more challengers — an existing version or a new spec (a model, optionally a prompt) — with their
 * shares of traffic, the signals it watches (see canary-signals.tsx) and the analysis that decides
 * (alpha, samples, automatic actions). Defaults are the server's; it checks the whole and names
 * what it refuses, and the form keeps what was typed.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { CanaryStartInput, CanaryVariantInput, Deployment } from '../../../src/sdk/browser.js';
import { ErrorNotice, useAction, useAsync } from '../components/async.js';
import { optionalNumber } from '../components/inputs.js';
import { useClient } from '../session.js';
import { CanarySignalsFields, defaultSignals, signalsInput, type SignalsDraft } from './canary-signals.js';

interface ChallengerDraft {
  name: string;
  percent: string;
  /** A version number, or '' for a new spec. */
  version: string;
  model: string;
  prompt: string;
}

function challengerInput(draft: ChallengerDraft): CanaryVariantInput {
  const base = { name: draft.name.trim(), percent: Number(draft.percent) };
  if (draft.version !== '') return { ...base, version: Number(draft.version) };
  return { ...base, spec: { model: draft.model, ...(draft.prompt.trim() ? { prompt: draft.prompt.trim() } : {}) } };
}

export function StartCanaryForm(props: { deployment: Deployment; onStarted(): void }): ReactNode {
  const client = useClient();
  const { deployment } = props;
  const models = useAsync(() => client.models.list(), [client]);
  const modelNames = models.state === 'ready' ? models.value.data.map((model) => model.name) : [];
  const id = (field: string): string => `canary-${deployment.name}-${field}`;
  const [baselinePercent, setBaselinePercent] = useState('90');
  const [challengers, setChallengers] = useState<ChallengerDraft[]>([
    { name: 'canary', percent: '10', version: '', model: '', prompt: '' },
  ]);
  const [minSamples, setMinSamples] = useState('200');
  const [maxSamples, setMaxSamples] = useState('');
  const [alpha, setAlpha] = useState('0.05');
  const [tau, setTau] = useState('0.05');
  const [signals, setSignals] = useState<SignalsDraft>(defaultSignals);
  const [autoPromote, setAutoPromote] = useState(true);
  const [autoRollback, setAutoRollback] = useState(true);
  const action = useAction();
  const change = (index: number, patch: Partial<ChallengerDraft>): void =>
    setChallengers((all) => all.map((entry, at) => (at === index ? { ...entry, ...patch } : entry)));
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const fallbackModel = modelNames[0] ?? '';
    const upper = optionalNumber(maxSamples);
    const input: CanaryStartInput = {
      baseline: 'baseline',
      variants: [
        { name: 'baseline', percent: Number(baselinePercent) },
        ...challengers.map((draft) => challengerInput({ ...draft, model: draft.model || fallbackModel })),
      ],
      analysis: {
        alpha: Number(alpha),
        tau: Number(tau),
        min_samples: Number(minSamples),
        max_samples: upper ?? null,
        auto_promote: autoPromote,
        auto_rollback: autoRollback,
        ...signalsInput(signals),
      },
    };
    void action.run(() => client.canary.start(deployment.name, input)).then((canary) => canary && props.onStarted());
  };
  return (
    <form className="card" onSubmit={submit} aria-label={`Start a canary on ${deployment.name}`}>
      <p className="muted">
        Each end user (else session, else API key) stays on one variant for the whole canary. Under a policy that requires approval, the
        canary waits as pending until another admin approves it.
      </p>
      <div className="grid">
        <div>
          <label htmlFor={id('baseline')}>Baseline share % (v{deployment.active_version ?? '–'}, serving now)</label>
          <input
            id={id('baseline')}
            type="number"
            min={0}
            max={100}
            value={baselinePercent}
            onChange={(event) => setBaselinePercent(event.target.value)}
          />
        </div>
      </div>
      {challengers.map((draft, index) => (
        <fieldset key={index}>
          <legend>Challenger {index + 1}</legend>
          <div className="grid">
            <div>
              <label htmlFor={id(`name-${index}`)}>Variant name</label>
              <input
                id={id(`name-${index}`)}
                value={draft.name}
                onChange={(event) => change(index, { name: event.target.value })}
                required
              />
            </div>
            <div>
              <label htmlFor={id(`percent-${index}`)}>Share %</label>
              <input
                id={id(`percent-${index}`)}
                type="number"
                min={0}
                max={100}
                value={draft.percent}
                onChange={(event) => change(index, { percent: event.target.value })}
              />
            </div>
            <div>
              <label htmlFor={id(`version-${index}`)}>Serves</label>
              <select
                id={id(`version-${index}`)}
                value={draft.version}
                onChange={(event) => change(index, { version: event.target.value })}
              >
                <option value="">a new spec</option>
                {deployment.versions.map((version) => (
                  <option key={version.version} value={version.version}>
                    v{version.version} ({version.model})
                  </option>
                ))}
              </select>
            </div>
            {draft.version === '' ? (
              <>
                <div>
                  <label htmlFor={id(`model-${index}`)}>Model</label>
                  <select
                    id={id(`model-${index}`)}
                    value={draft.model || modelNames[0] || ''}
                    onChange={(event) => change(index, { model: event.target.value })}
                  >
                    {modelNames.map((name) => (
                      <option key={name}>{name}</option>
                    ))}
                  </select>
                </div>
                <div>
                  <label htmlFor={id(`prompt-${index}`)}>Prompt (optional, NAME@LABEL)</label>
                  <input
                    id={id(`prompt-${index}`)}
                    value={draft.prompt}
                    onChange={(event) => change(index, { prompt: event.target.value })}
                  />
                </div>
              </>
            ) : null}
          </div>
          {challengers.length > 1 ? (
            <button type="button" className="secondary" onClick={() => setChallengers((all) => all.filter((_, at) => at !== index))}>
              Remove challenger {index + 1}
            </button>
          ) : null}
        </fieldset>
      ))}
      {challengers.length < 4 ? (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            setChallengers((all) => [...all, { name: `challenger${all.length + 1}`, percent: '0', version: '', model: '', prompt: '' }])
          }
        >
          Add a challenger
        </button>
      ) : null}
      <fieldset>
        <legend>Analysis</legend>
        <div className="grid">
          <div>
            <label htmlFor={id('alpha')}>Alpha (false alarm rate)</label>
            <input id={id('alpha')} inputMode="decimal" value={alpha} onChange={(event) => setAlpha(event.target.value)} />
          </div>
          <div>
            <label htmlFor={id('min-samples')}>Samples per variant before a decision</label>
            <input
              id={id('min-samples')}
              type="number"
              min={10}
              value={minSamples}
              onChange={(event) => setMinSamples(event.target.value)}
            />
          </div>
          <div>
            <label htmlFor={id('max-samples')}>Roll back if undecided after (requests)</label>
            <input
              id={id('max-samples')}
              type="number"
              min={1}
              value={maxSamples}
              onChange={(event) => setMaxSamples(event.target.value)}
              placeholder="never"
            />
          </div>
          <div>
            <label htmlFor={id('tau')}>Tests tuned for a difference of (tau)</label>
            <input id={id('tau')} inputMode="decimal" value={tau} onChange={(event) => setTau(event.target.value)} />
          </div>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={autoPromote} onChange={(event) => setAutoPromote(event.target.checked)} /> Promote automatically
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={autoRollback} onChange={(event) => setAutoRollback(event.target.checked)} /> Roll back
          automatically
        </label>
      </fieldset>
      <CanarySignalsFields idPrefix={id('signal')} deployment={deployment.name} draft={signals} onChange={setSignals} />
      <button type="submit" disabled={action.pending}>
        Start canary on {deployment.name}
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}
