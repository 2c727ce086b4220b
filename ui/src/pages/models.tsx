/** What can be called: the gateway's models with prices, the registry's versions and aliases, and deployments with rollback. */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { Deployment, RegisteredModel } from '../../../src/sdk/browser.js';
import { AsyncView, Empty, ErrorNotice, useAction, useAsync } from '../components/async.js';
import { ShareBar } from '../components/chart.js';
import { dateTime, json } from '../components/format.js';
import { useClient, useRefresh } from '../session.js';
import { CanaryPanel } from './canary-panel.js';

export function ModelsPage(): ReactNode {
  const client = useClient();
  const catalog = useAsync(() => client.models.list(), [client]);
  return (
    <section>
      <h1>Models &amp; deployments</h1>
      <h2>Gateway models</h2>
      <AsyncView data={catalog} what="models">
        {(value) => {
          if (value.data.length === 0) return <Empty>No models configured: declare some in fener.yaml or set a provider key.</Empty>;
          const maxPrice = Math.max(...value.data.map((model) => model.price.output_per_mtok));
          return (
            <table>
              <caption className="visually-hidden">Gateway models</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Provider / upstream</th>
                  <th scope="col">USD per 1M tokens in / out</th>
                  <th scope="col">Tasks</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {value.data.map((model) => (
                  <tr key={model.name}>
                    <th scope="row">{model.name}</th>
                    <td>
                      {model.provider} / {model.upstream_model}
                    </td>
                    <td>
                      <ShareBar value={model.price.output_per_mtok} max={maxPrice} label={`output price ${model.price.output_per_mtok}`} />{' '}
                      ${model.price.input_per_mtok} / ${model.price.output_per_mtok}
                    </td>
                    <td>{model.tasks.join(', ')}</td>
                    <td>{model.source}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </AsyncView>
      <Registry />
      <Deployments />
    </section>
  );
}

function Registry(): ReactNode {
  const client = useClient();
  const models = useAsync(() => client.registry.list(), [client]);
  return (
    <>
      <h2>Registry</h2>
      <AsyncView data={models} what="the registry">
        {(value) =>
          value.data.length === 0 ? (
            <Empty>No registered models yet (`fener registry create` or POST /api/registry/models).</Empty>
          ) : (
            value.data.map((model) => <RegisteredModelCard key={model.name} model={model} />)
          )
        }
      </AsyncView>
    </>
  );
}

function RegisteredModelCard(props: { model: RegisteredModel }): ReactNode {
  const client = useClient();
  const [open, setOpen] = useState(false);
  const detail = useAsync(
    () => (open ? client.registry.get(props.model.name) : Promise.resolve(undefined)),
    [client, props.model.name, open],
  );
  return (
    <article className="card" aria-label={`Registered model ${props.model.name}`}>
      <h3>{props.model.name}</h3>
      <p className="muted">{props.model.description ?? 'No description.'}</p>
      <p>
        Latest v{props.model.latest_version ?? '–'} · aliases:{' '}
        {Object.entries(props.model.aliases).map(([alias, version]) => (
          <span key={alias} className="badge">
            {alias} → v{version}
          </span>
        ))}
      </p>
      <button type="button" className="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide versions' : 'Show versions'}
      </button>
      {open ? (
        <AsyncView data={detail} what="versions">
          {(value) =>
            value ? (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Provider / upstream</th>
                    <th scope="col">Evaluations</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {value.versions.map((version) => (
                    <tr key={version.version}>
                      <th scope="row">v{version.version}</th>
                      <td>{version.kind}</td>
                      <td>
                        {version.provider} / {version.upstream_model}
                      </td>
                      <td>{version.evaluations.map((evaluation) => `${evaluation.metric} ${evaluation.value}`).join(', ') || '–'}</td>
                      <td>{dateTime(version.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null
          }
        </AsyncView>
      ) : null}
    </article>
  );
}

function Deployments(): ReactNode {
  const client = useClient();
  const [refresh, bump] = useRefresh();
  const deployments = useAsync(() => client.deployments.list(), [client, refresh]);
  return (
    <>
      <h2>Deployments</h2>
      <AsyncView data={deployments} what="deployments">
        {(value) =>
          value.data.length === 0 ? (
            <Empty>No deployments yet (POST /api/deployments; clients then call model "deployment:NAME").</Empty>
          ) : (
            value.data.map((deployment) => <DeploymentCard key={deployment.name} deployment={deployment} onChange={bump} />)
          )
        }
      </AsyncView>
    </>
  );
}

function DeploymentCard(props: { deployment: Deployment; onChange(): void }): ReactNode {
  const client = useClient();
  const { deployment } = props;
  const action = useAction();
  const [target, setTarget] = useState('');
  const rollback = (event: FormEvent): void => {
    event.preventDefault();
    const version = target === '' ? undefined : Number(target);
    void action.run(() => client.deployments.rollback(deployment.name, version)).then((result) => result && props.onChange());
  };
  const approve = (version: number): void => {
    void action.run(() => client.deployments.approve(deployment.name, version)).then((result) => result && props.onChange());
  };
  return (
    <article className="card" aria-label={`Deployment ${deployment.name}`}>
      <h3>
        {deployment.name} <span className="muted">serving v{deployment.active_version ?? '–'}</span>
      </h3>
      <table>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Model</th>
            <th scope="col">Prompt</th>
            <th scope="col">Parameters</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {[...deployment.versions].reverse().map((version) => (
            <tr key={version.version} className={version.version === deployment.active_version ? 'active' : undefined}>
              <th scope="row">
                v{version.version}
                {version.version === deployment.active_version ? <span className="badge ok">serving</span> : null}
                {version.source_version !== null ? <span className="muted"> (copy of v{version.source_version})</span> : null}
              </th>
              <td>{version.model}</td>
              <td>{version.prompt ?? '–'}</td>
              <td>
                <code>{json(version.parameters)}</code>
              </td>
              <td>
                {version.status}
                {version.status === 'pending' ? (
                  <button type="button" className="secondary" onClick={() => approve(version.version)} disabled={action.pending}>
                    Approve v{version.version}
                  </button>
                ) : null}
              </td>
              <td>
                {dateTime(version.created_at)} by {version.created_by}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <CanaryPanel deployment={deployment} onChange={props.onChange} />
      <form className="inline" onSubmit={rollback}>
        <label htmlFor={`rollback-${deployment.name}`}>Roll back to</label>
        <select id={`rollback-${deployment.name}`} value={target} onChange={(event) => setTarget(event.target.value)}>
          <option value="">the previous version</option>
          {deployment.versions.map((version) => (
            <option key={version.version} value={version.version}>
              v{version.version}
            </option>
          ))}
        </select>
        <button type="submit" disabled={action.pending || deployment.versions.length < 2}>
          Roll back {deployment.name}
        </button>
      </form>
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </article>
  );
}
