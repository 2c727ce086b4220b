/**
 * The signals a canary watches, as part of its start form: the error rate and the share of slow
 * calls (each can be switched off, with its margin; latency with its quantile or a fixed bound),
 * and score sources fed later through the API (feedback, evaluator results), each with the score
 * below which an outcome is bad. The fields start at the server's defaults.
 */
import type { ReactNode } from 'react';
import type { CanaryAnalysisInput } from '../../../src/sdk/browser.js';
import { optionalNumber } from '../components/inputs.js';

interface ScoreSourceDraft {
  name: string;
  badBelow: string;
  margin: string;
}

export interface SignalsDraft {
  errorRate: { enabled: boolean; margin: string };
  latency: { enabled: boolean; margin: string; quantile: string; thresholdMs: string };
  scores: ScoreSourceDraft[];
}

export const defaultSignals: SignalsDraft = {
  errorRate: { enabled: true, margin: '0.02' },
  latency: { enabled: true, margin: '0.05', quantile: '0.95', thresholdMs: '' },
  scores: [],
};

/** The analysis' signal fields; a disabled signal is sent as `enabled: false` so the stored settings say so. */
export function signalsInput(draft: SignalsDraft): Pick<CanaryAnalysisInput, 'error_rate' | 'latency' | 'scores'> {
  const threshold = optionalNumber(draft.latency.thresholdMs);
  return {
    error_rate: { enabled: draft.errorRate.enabled, margin: Number(draft.errorRate.margin) },
    latency: {
      enabled: draft.latency.enabled,
      margin: Number(draft.latency.margin),
      quantile: Number(draft.latency.quantile),
      ...(threshold === undefined ? {} : { threshold_ms: threshold }),
    },
    scores: Object.fromEntries(
      draft.scores.map((source) => [source.name.trim(), { bad_below: Number(source.badBelow), margin: Number(source.margin) }]),
    ),
  };
}

function Field(props: { id: string; label: string; value: string; onChange(value: string): void; placeholder?: string }): ReactNode {
  return (
    <div>
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        inputMode="decimal"
        value={props.value}
        placeholder={props.placeholder}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </div>
  );
}

export function CanarySignalsFields(props: {
  idPrefix: string;
  deployment: string;
  draft: SignalsDraft;
  onChange(draft: SignalsDraft): void;
}): ReactNode {
  const { draft, onChange } = props;
  const id = (field: string): string => `${props.idPrefix}-${field}`;
  const errorRate = (patch: Partial<SignalsDraft['errorRate']>): void =>
    onChange({ ...draft, errorRate: { ...draft.errorRate, ...patch } });
  const latency = (patch: Partial<SignalsDraft['latency']>): void => onChange({ ...draft, latency: { ...draft.latency, ...patch } });
  const score = (index: number, patch: Partial<ScoreSourceDraft>): void =>
    onChange({ ...draft, scores: draft.scores.map((entry, at) => (at === index ? { ...entry, ...patch } : entry)) });
  return (
    <fieldset>
      <legend>Signals</legend>
      <label className="checkbox">
        <input type="checkbox" checked={draft.errorRate.enabled} onChange={(event) => errorRate({ enabled: event.target.checked })} /> Watch
        the error rate
      </label>
      {draft.errorRate.enabled ? (
        <div className="grid">
          <Field
            id={id('error-margin')}
            label="Error rate margin"
            value={draft.errorRate.margin}
            onChange={(margin) => errorRate({ margin })}
          />
        </div>
      ) : null}
      <label className="checkbox">
        <input type="checkbox" checked={draft.latency.enabled} onChange={(event) => latency({ enabled: event.target.checked })} /> Watch
        latency (share of slow calls)
      </label>
      {draft.latency.enabled ? (
        <div className="grid">
          <Field
            id={id('latency-margin')}
            label="Slow-call share margin"
            value={draft.latency.margin}
            onChange={(margin) => latency({ margin })}
          />
          <Field
            id={id('latency-quantile')}
            label="Slow means above the baseline's quantile"
            value={draft.latency.quantile}
            onChange={(quantile) => latency({ quantile })}
          />
          <Field
            id={id('latency-threshold')}
            label="Or a fixed bound (ms)"
            value={draft.latency.thresholdMs}
            placeholder="from the baseline's warm-up"
            onChange={(thresholdMs) => latency({ thresholdMs })}
          />
        </div>
      ) : null}
      {draft.scores.map((source, index) => (
        <fieldset key={index}>
          <legend>Score source {index + 1}</legend>
          <div className="grid">
            <div>
              <label htmlFor={id(`score-name-${index}`)}>Source name</label>
              <input
                id={id(`score-name-${index}`)}
                value={source.name}
                required
                onChange={(event) => score(index, { name: event.target.value })}
              />
            </div>
            <Field
              id={id(`score-bad-${index}`)}
              label="Bad below"
              value={source.badBelow}
              onChange={(badBelow) => score(index, { badBelow })}
            />
            <Field id={id(`score-margin-${index}`)} label="Margin" value={source.margin} onChange={(margin) => score(index, { margin })} />
          </div>
          <button
            type="button"
            className="secondary"
            onClick={() => onChange({ ...draft, scores: draft.scores.filter((_, at) => at !== index) })}
          >
            Remove score source {index + 1}
          </button>
        </fieldset>
      ))}
      <button
        type="button"
        className="secondary"
        onClick={() =>
          onChange({
            ...draft,
            scores: [...draft.scores, { name: draft.scores.length === 0 ? 'feedback' : '', badBelow: '0.5', margin: '0.05' }],
          })
        }
      >
        Add a score source
      </button>
      {draft.scores.length > 0 ? (
        <p className="muted">
          Scores are posted to POST /api/deployments/{props.deployment}/canary/signals with the source&apos;s name; a score below &quot;bad
          below&quot; counts as a bad outcome.
        </p>
      ) : null}
    </fieldset>
  );
}
