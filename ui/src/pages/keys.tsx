/** Virtual keys: create (the secret is shown once), revoke, and set rate limits and budgets. */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { ApiKey, BudgetPeriod, CreatedKey, KeyLimitsPatch } from '../../../src/sdk/browser.js';
import { AsyncView, Empty, ErrorNotice, useAction, useAsync } from '../components/async.js';
import { optionalNumber } from '../components/inputs.js';
import { dateTime, usd } from '../components/format.js';
import { useClient, useRefresh } from '../session.js';

const periods: BudgetPeriod[] = ['day', 'month', 'total'];

export function KeysPage(): ReactNode {
  const client = useClient();
  const [refresh, bump] = useRefresh();
  const [created, setCreated] = useState<CreatedKey | undefined>();
  const [showRevoked, setShowRevoked] = useState(false);
  const keys = useAsync(() => client.keys.list({ include_revoked: showRevoked }), [client, refresh, showRevoked]);
  const projects = useAsync(() => client.projects.list(), [client]);
  return (
    <section>
      <h1>Keys</h1>
      {created ? <SecretOnce created={created} onDismiss={() => setCreated(undefined)} /> : null}
      <AsyncView data={projects} what="projects">
        {(value) => (
          <CreateKey
            projects={value.data.map((project) => project.name)}
            onCreated={(key) => {
              setCreated(key);
              bump();
            }}
          />
        )}
      </AsyncView>
      <h2>Project keys</h2>
      <label className="checkbox">
        <input type="checkbox" checked={showRevoked} onChange={(event) => setShowRevoked(event.target.checked)} /> Show revoked keys
      </label>
      <AsyncView data={keys} what="keys">
        {(value) =>
          value.data.length === 0 ? (
            <Empty>No project keys yet: create one above.</Empty>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Id / hint</th>
                  <th scope="col">Limits</th>
                  <th scope="col">Budget</th>
                  <th scope="col">Created</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {value.data.map((key) => (
                  <KeyRow key={key.id} apiKey={key} onChange={bump} />
                ))}
              </tbody>
            </table>
          )
        }
      </AsyncView>
    </section>
  );
}

function SecretOnce(props: { created: CreatedKey; onDismiss(): void }): ReactNode {
  return (
    <div className="card secret" role="alert" aria-labelledby="secret-heading">
      <h2 id="secret-heading">Key “{props.created.name}” created</h2>
      <p>Copy the secret now: Fener keeps only its hash and will never show it again.</p>
      <label htmlFor="new-secret">Secret</label>
      <input id="new-secret" readOnly value={props.created.key} onFocus={(event) => event.target.select()} />
      <button type="button" className="secondary" onClick={() => void navigator.clipboard?.writeText(props.created.key)}>
        Copy
      </button>
      <button type="button" onClick={props.onDismiss}>
        I have stored it
      </button>
    </div>
  );
}

function CreateKey(props: { projects: string[]; onCreated(key: CreatedKey): void }): ReactNode {
  const client = useClient();
  const [name, setName] = useState('');
  const [project, setProject] = useState(props.projects[0] ?? 'default');
  const [rpm, setRpm] = useState('');
  const [tpm, setTpm] = useState('');
  const [budget, setBudget] = useState('');
  const [period, setPeriod] = useState<BudgetPeriod>('month');
  const action = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const limits = { rpm: optionalNumber(rpm), tpm: optionalNumber(tpm) };
    const usdAmount = optionalNumber(budget);
    void action
      .run(() =>
        client.keys.create({
          name: name.trim(),
          project,
          ...(limits.rpm !== undefined || limits.tpm !== undefined
            ? { limits: Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined)) }
            : {}),
          ...(usdAmount === undefined ? {} : { budget: { usd: usdAmount, period } }),
        }),
      )
      .then((key) => {
        if (!key) return;
        setName('');
        props.onCreated(key);
      });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="create-key">
      <h2 id="create-key">Create a key</h2>
      <div className="grid">
        <div>
          <label htmlFor="key-name">Name</label>
          <input id="key-name" value={name} onChange={(event) => setName(event.target.value)} required />
        </div>
        <div>
          <label htmlFor="key-project">Project</label>
          <select id="key-project" value={project} onChange={(event) => setProject(event.target.value)}>
            {props.projects.map((item) => (
              <option key={item}>{item}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="key-rpm">Requests per minute</label>
          <input
            id="key-rpm"
            type="number"
            min={1}
            step={1}
            value={rpm}
            onChange={(event) => setRpm(event.target.value)}
            placeholder="no limit"
          />
        </div>
        <div>
          <label htmlFor="key-tpm">Tokens per minute</label>
          <input
            id="key-tpm"
            type="number"
            min={1}
            step={1}
            value={tpm}
            onChange={(event) => setTpm(event.target.value)}
            placeholder="no limit"
          />
        </div>
        <div>
          <label htmlFor="key-budget">Budget (USD)</label>
          <input
            id="key-budget"
            type="number"
            min={0}
            step="any"
            value={budget}
            onChange={(event) => setBudget(event.target.value)}
            placeholder="none"
          />
        </div>
        <div>
          <label htmlFor="key-period">Budget period</label>
          <select id="key-period" value={period} onChange={(event) => setPeriod(event.target.value as BudgetPeriod)}>
            {periods.map((item) => (
              <option key={item}>{item}</option>
            ))}
          </select>
        </div>
      </div>
      <button type="submit" disabled={action.pending}>
        {action.pending ? 'Creating…' : 'Create key'}
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}

function KeyRow(props: { apiKey: ApiKey; onChange(): void }): ReactNode {
  const client = useClient();
  const { apiKey } = props;
  const [editing, setEditing] = useState(false);
  const action = useAction();
  const revoke = (): void => {
    if (!window.confirm(`Revoke “${apiKey.name}”? Calls with it are refused at once.`)) return;
    void action.run(() => client.keys.revoke(apiKey.id)).then((result) => result && props.onChange());
  };
  const revoked = apiKey.revoked_at !== null;
  return (
    <>
      <tr className={revoked ? 'revoked' : undefined}>
        <th scope="row">{apiKey.name}</th>
        <td>
          <code>{apiKey.id}</code> <span className="muted">…{apiKey.hint}</span>
        </td>
        <td>
          {apiKey.limits.rpm ?? '∞'} rpm · {apiKey.limits.tpm ?? '∞'} tpm
        </td>
        <td>{apiKey.budget ? `${usd(apiKey.budget.usd)} / ${apiKey.budget.period}` : '–'}</td>
        <td>{dateTime(apiKey.created_at)}</td>
        <td>
          {revoked ? (
            <span className="badge error">revoked {dateTime(apiKey.revoked_at)}</span>
          ) : (
            <>
              <span className="badge ok">active</span>{' '}
              <button type="button" className="secondary" onClick={() => setEditing(!editing)} aria-expanded={editing}>
                Limits of {apiKey.name}
              </button>{' '}
              <button type="button" className="danger" onClick={revoke} disabled={action.pending}>
                Revoke {apiKey.name}
              </button>
            </>
          )}
          {action.error ? <ErrorNotice error={action.error} /> : null}
        </td>
      </tr>
      {editing && !revoked ? (
        <tr>
          <td colSpan={6}>
            <LimitsForm
              apiKey={apiKey}
              onSaved={() => {
                setEditing(false);
                props.onChange();
              }}
            />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function LimitsForm(props: { apiKey: ApiKey; onSaved(): void }): ReactNode {
  const client = useClient();
  const { apiKey } = props;
  const [rpm, setRpm] = useState(apiKey.limits.rpm?.toString() ?? '');
  const [tpm, setTpm] = useState(apiKey.limits.tpm?.toString() ?? '');
  const [budget, setBudget] = useState(apiKey.budget?.usd.toString() ?? '');
  const [period, setPeriod] = useState<BudgetPeriod>(apiKey.budget?.period ?? 'month');
  const action = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const usdAmount = optionalNumber(budget);
    const patch: KeyLimitsPatch = {
      limits: { rpm: optionalNumber(rpm) ?? null, tpm: optionalNumber(tpm) ?? null },
      budget: usdAmount === undefined ? null : { usd: usdAmount, period },
    };
    void action.run(() => client.keys.update(apiKey.id, patch)).then((result) => result && props.onSaved());
  };
  const id = (name: string): string => `${name}-${apiKey.id}`;
  return (
    <form className="inline" onSubmit={submit} aria-label={`Limits and budget of ${apiKey.name}`}>
      <label htmlFor={id('rpm')}>Requests/min</label>
      <input id={id('rpm')} type="number" min={1} value={rpm} onChange={(event) => setRpm(event.target.value)} placeholder="no limit" />
      <label htmlFor={id('tpm')}>Tokens/min</label>
      <input id={id('tpm')} type="number" min={1} value={tpm} onChange={(event) => setTpm(event.target.value)} placeholder="no limit" />
      <label htmlFor={id('budget')}>Budget USD</label>
      <input
        id={id('budget')}
        type="number"
        min={0}
        step="any"
        value={budget}
        onChange={(event) => setBudget(event.target.value)}
        placeholder="none"
      />
      <label htmlFor={id('period')}>per</label>
      <select id={id('period')} value={period} onChange={(event) => setPeriod(event.target.value as BudgetPeriod)}>
        {periods.map((item) => (
          <option key={item}>{item}</option>
        ))}
      </select>
      <button type="submit" disabled={action.pending}>
        Save limits
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}
