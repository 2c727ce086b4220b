/**
 * A deployment's canary: live statistics per variant (requests, errors, latency from the shared
 * counters, refreshed every few seconds while it runs), the sequential test's state per signal,
 * its decisions, and the actions the API allows in its state (approve, evaluate, promote, abort).
 */
import { useEffect, type ReactNode } from 'react';
import { canaryVariantStats, type CanaryEvaluation, type CanaryStatus, type Deployment } from '../../../src/sdk/browser.js';
import { AsyncView, ErrorNotice, useAction, useAsync } from '../components/async.js';
import { ShareBar } from '../components/chart.js';
import { count, dateTime, ms } from '../components/format.js';
import { useClient, useRefresh } from '../session.js';
import { StartCanaryForm } from './canary-start.js';

const pollMs = 3000;

function rate(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function short(value: number): string {
  return Number.isFinite(value) ? Number(value.toPrecision(3)).toString() : '∞';
}

/** The analysis settings a reader needs to judge the numbers: alpha, samples before a decision, automatic actions. */
function settingsText(settings: Record<string, unknown>): string {
  const parts = [
    typeof settings.alpha === 'number' ? `α ${settings.alpha}` : undefined,
    typeof settings.min_samples === 'number' ? `${settings.min_samples} samples per variant and signal before a decision` : undefined,
    settings.auto_promote === true ? 'promotes automatically' : undefined,
    settings.auto_rollback === true ? 'rolls back automatically' : undefined,
  ];
  return parts.filter((part) => part !== undefined).join(' · ');
}

type Settings = Record<string, unknown>;

function record(value: unknown): Settings | undefined {
  return typeof value === 'object' && value !== null ? (value as Settings) : undefined;
}

/** The signals the canary watches, as stored (defaults filled in by the server). */
function signalsText(settings: Settings): string {
  const errorRate = record(settings.error_rate);
  const latency = record(settings.latency);
  const parts: string[] = [];
  if (errorRate?.enabled === true) parts.push(`error rate (margin ${String(errorRate.margin)})`);
  if (latency?.enabled === true) {
    const bound =
      typeof latency.threshold_ms === 'number'
        ? `over ${latency.threshold_ms} ms`
        : `over the baseline p${Number((Number(latency.quantile) * 100).toFixed(1))}`;
    parts.push(`slow calls ${bound} (margin ${String(latency.margin)})`);
  }
  for (const [name, value] of Object.entries(record(settings.scores) ?? {})) {
    const source = record(value);
    parts.push(`score ${name} (bad below ${String(source?.bad_below)}, margin ${String(source?.margin)})`);
  }
  return parts.length === 0 ? 'Watches no signal.' : `Watches ${parts.join(', ')}.`;
}

export function CanaryPanel(props: { deployment: Deployment; onChange(): void }): ReactNode {
  const client = useClient();
  const [tick, bump] = useRefresh();
  const status = useAsync(
    () =>
      client.canary.status(props.deployment.name).catch((error: unknown) => {
        if (typeof error === 'object' && error !== null && (error as { code?: string }).code === 'not_found') return null;
        throw error;
      }),
    [client, props.deployment.name, tick],
  );
  const live =
    status.state === 'ready' && status.value !== null && (status.value.status === 'running' || status.value.status === 'pending');
  useEffect(() => {
    if (!live) return;
    const timer = setTimeout(bump, pollMs);
    return () => clearTimeout(timer);
  }, [live, tick]);
  return (
    <AsyncView data={status} what="the canary">
      {(value) => {
        const changed = (): void => {
          bump();
          props.onChange();
        };
        // A new canary can start once the last one has ended (or there never was one).
        const ended = value === null || !(value.status === 'running' || value.status === 'pending');
        return (
          <>
            {value === null ? null : <CanaryView canary={value} onChange={changed} />}
            {ended ? (
              <details className="start-canary">
                <summary>Start a canary on {props.deployment.name}</summary>
                <StartCanaryForm deployment={props.deployment} onStarted={changed} />
              </details>
            ) : null}
          </>
        );
      }}
    </AsyncView>
  );
}

function CanaryView(props: { canary: CanaryStatus; onChange(): void }): ReactNode {
  const { canary } = props;
  return (
    <section className="canary" aria-label={`Canary of ${canary.deployment}`}>
      <h4>
        Canary{' '}
        <span className={`badge ${canary.status === 'running' ? 'ok' : canary.status === 'rolled_back' ? 'error' : ''}`}>
          {canary.status}
        </span>{' '}
        <span className="muted">
          baseline {canary.baseline} · started {dateTime(canary.started_at ?? canary.created_at)}
          {canary.ended_at ? ` · ended ${dateTime(canary.ended_at)} (${canary.end_reason ?? canary.ended_by ?? ''})` : ''}
        </span>
      </h4>
      <p className="muted">{settingsText(canary.settings)}</p>
      <p className="muted canary-signals">{signalsText(canary.settings)}</p>
      <VariantStats canary={canary} />
      {canary.last_evaluation ? <Evaluation evaluation={canary.last_evaluation} /> : <p className="muted">Not evaluated yet.</p>}
      {canary.decisions.length > 0 ? (
        <ul className="history" aria-label="Canary decisions">
          {canary.decisions.map((decision) => (
            <li key={decision.seq}>
              {dateTime(decision.at)} · {decision.action} by {decision.actor}
            </li>
          ))}
        </ul>
      ) : null}
      <CanaryActions canary={canary} onChange={props.onChange} />
    </section>
  );
}

function VariantStats(props: { canary: CanaryStatus }): ReactNode {
  const { canary } = props;
  const stats = canaryVariantStats(canary);
  const maxRequests = Math.max(1, ...stats.map((entry) => entry.requests));
  return (
    <table className="canary-stats">
      <caption className="visually-hidden">Live statistics per variant</caption>
      <thead>
        <tr>
          <th scope="col">Variant</th>
          <th scope="col">Share</th>
          <th scope="col">Requests</th>
          <th scope="col">Errors</th>
          <th scope="col">Error rate</th>
          <th scope="col">Latency p50 / p95</th>
        </tr>
      </thead>
      <tbody>
        {stats.map((entry) => {
          const variant = canary.variants.find((candidate) => candidate.name === entry.variant);
          return (
            <tr key={entry.variant}>
              <th scope="row">
                {entry.variant} <span className="muted">v{variant?.version}</span>
                {entry.variant === canary.baseline ? <span className="badge">baseline</span> : null}
              </th>
              <td>{variant?.percent}%</td>
              <td>
                <ShareBar value={entry.requests} max={maxRequests} label={`${entry.requests} requests`} /> {count(entry.requests)}
              </td>
              <td>{count(entry.errors)}</td>
              <td>{rate(entry.error_rate)}</td>
              <td>
                {ms(entry.latency_p50_ms)} / {ms(entry.latency_p95_ms)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The buttons the canary's state allows; promote and abort ask first. */
function CanaryActions(props: { canary: CanaryStatus; onChange(): void }): ReactNode {
  const { canary } = props;
  const client = useClient();
  const action = useAction();
  const act = (confirmText: string | undefined, call: () => Promise<unknown>): void => {
    if (confirmText !== undefined && !window.confirm(confirmText)) return;
    void action.run(call).then((result) => result !== undefined && props.onChange());
  };
  const challengers = canary.variants.filter((variant) => variant.name !== canary.baseline);
  const promote = (variant: string) => () =>
    act(`Promote ${variant} to all traffic of ${canary.deployment}?`, () => client.canary.promote(canary.deployment, variant));
  const abort = (): void =>
    act(`Abort the canary of ${canary.deployment}? All traffic returns to the active version.`, () =>
      client.canary.abort(canary.deployment),
    );
  return (
    <>
      <div className="inline">
        {canary.status === 'pending' ? (
          <button type="button" onClick={() => act(undefined, () => client.canary.approve(canary.deployment))} disabled={action.pending}>
            Approve canary
          </button>
        ) : null}
        {canary.status === 'running' ? (
          <>
            <button
              type="button"
              className="secondary"
              onClick={() => act(undefined, () => client.canary.evaluate(canary.deployment))}
              disabled={action.pending}
            >
              Evaluate now
            </button>
            {challengers.map((variant) => (
              <button key={variant.name} type="button" onClick={promote(variant.name)} disabled={action.pending}>
                Promote {variant.name}
              </button>
            ))}
            <button type="button" className="danger" onClick={abort} disabled={action.pending}>
              Abort canary (roll back)
            </button>
          </>
        ) : null}
      </div>
      {canary.promotion_request ? (
        <p className="muted">
          Promotion of {canary.promotion_request.variant} requested by {canary.promotion_request.requested_by}: another admin must confirm.
        </p>
      ) : null}
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </>
  );
}

function Evaluation(props: { evaluation: CanaryEvaluation }): ReactNode {
  const { evaluation } = props;
  return (
    <>
      <p className="canary-decision" role="status">
        Last evaluation {dateTime(evaluation.at)}: <strong>{evaluation.decision}</strong>
        {evaluation.variant ? ` (${evaluation.variant})` : ''} — {evaluation.reason}
        {evaluation.latency_threshold_ms === null ? '' : ` · latency bound ${ms(evaluation.latency_threshold_ms)}`}
      </p>
      <table className="canary-tests">
        <caption className="visually-hidden">Sequential tests per variant and signal</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Signal</th>
            <th scope="col">Baseline bad / n</th>
            <th scope="col">Variant bad / n</th>
            <th scope="col">State</th>
            <th scope="col">Harm Λ / threshold</th>
            <th scope="col">Non-inferiority Λ / threshold</th>
          </tr>
        </thead>
        <tbody>
          {evaluation.comparisons.map((comparison) => (
            <tr key={`${comparison.variant}/${comparison.signal}`}>
              <th scope="row">{comparison.variant}</th>
              <td>{comparison.signal}</td>
              <td>
                {comparison.baseline.bad} / {comparison.baseline.n} ({rate(comparison.baseline.rate)})
              </td>
              <td>
                {comparison.challenger.bad} / {comparison.challenger.n} ({rate(comparison.challenger.rate)})
              </td>
              <td>
                <span className={`badge ${comparison.verdict === 'harm' ? 'error' : comparison.verdict === 'non_inferior' ? 'ok' : ''}`}>
                  {comparison.verdict.replace('_', '-')}
                </span>
              </td>
              <td>{comparison.harm ? `${short(comparison.harm.statistic)} / ${short(comparison.harm.threshold)}` : '–'}</td>
              <td>
                {comparison.non_inferiority
                  ? `${short(comparison.non_inferiority.statistic)} / ${short(comparison.non_inferiority.threshold)} (margin ${comparison.non_inferiority.margin})`
                  : '–'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
