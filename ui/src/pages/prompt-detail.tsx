/** One prompt: its versions, the content of one, labels (move, roll back, history), edit, diff and playground. */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { PromptDetail } from '../../../src/sdk/browser.js';
import { AsyncView, ErrorNotice, useAction, useAsync } from '../components/async.js';
import { dateTime, json } from '../components/format.js';
import { Link } from '../router.js';
import { useClient, useRefresh } from '../session.js';
import { PromptDiffView } from './prompt-diff.js';
import { PromptEditor } from './prompt-editor.js';
import { Playground } from './playground.js';

export function PromptDetailPage(props: { name: string }): ReactNode {
  const client = useClient();
  const [refresh, bump] = useRefresh();
  const detail = useAsync(() => client.prompts.get(props.name), [client, props.name, refresh]);
  return (
    <section>
      <p>
        <Link to="/prompts">← Prompts</Link>
      </p>
      <h1>
        Prompt <code>{props.name}</code>
      </h1>
      <AsyncView data={detail} what="the prompt">
        {(value) => <PromptBody detail={value} onChange={bump} />}
      </AsyncView>
    </section>
  );
}

function PromptBody(props: { detail: PromptDetail; onChange(): void }): ReactNode {
  const client = useClient();
  const { detail } = props;
  const [selected, setSelected] = useState(detail.latest_version);
  const [editing, setEditing] = useState(false);
  const version = useAsync(() => client.prompts.version(detail.name, selected), [client, detail.name, selected, detail.latest_version]);
  return (
    <>
      <div className="columns">
        <div>
          <h2>Versions</h2>
          <ul className="versions">
            {detail.versions.map((item) => (
              <li key={item.version}>
                <button
                  type="button"
                  className={item.version === selected ? 'selected' : 'link'}
                  aria-pressed={item.version === selected}
                  onClick={() => setSelected(item.version)}
                >
                  v{item.version}
                </button>{' '}
                <span className="muted">
                  {dateTime(item.created_at)} by {item.created_by}
                </span>{' '}
                {Object.entries(detail.labels)
                  .filter(([, target]) => target === item.version)
                  .map(([label]) => (
                    <span key={label} className="badge">
                      {label}
                    </span>
                  ))}
              </li>
            ))}
          </ul>
          <Labels detail={detail} onChange={props.onChange} />
        </div>
        <div>
          <AsyncView data={version} what={`version ${selected}`}>
            {(value) => (
              <>
                <h2>Version {value.version}</h2>
                <ol className="messages">
                  {value.messages.map((message, index) => (
                    <li key={index}>
                      <span className="role">{message.role}</span>
                      <pre>{message.content}</pre>
                    </li>
                  ))}
                </ol>
                <p className="muted">
                  Variables: {Object.keys(value.variables).join(', ') || 'none'} · Parameters: <code>{json(value.parameters)}</code>
                </p>
                {editing ? (
                  <PromptEditor
                    base={value}
                    onSaved={(result) => {
                      setEditing(false);
                      setSelected(result.version.version);
                      props.onChange();
                    }}
                  />
                ) : (
                  <button type="button" onClick={() => setEditing(true)}>
                    Edit as a new version
                  </button>
                )}
                <Playground version={value} />
              </>
            )}
          </AsyncView>
        </div>
      </div>
      <PromptDiffView key={detail.latest_version} detail={detail} />
    </>
  );
}

function Labels(props: { detail: PromptDetail; onChange(): void }): ReactNode {
  const client = useClient();
  const { detail } = props;
  const [label, setLabel] = useState('production');
  const [version, setVersion] = useState(String(detail.latest_version));
  const action = useAction();
  const history = useAsync(() => client.prompts.labelHistory(detail.name, label), [client, detail.name, label, detail.labels]);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void action.run(() => client.prompts.setLabel(detail.name, label, Number(version))).then((result) => result && props.onChange());
  };
  const rollback = (): void => {
    void action.run(() => client.prompts.rollbackLabel(detail.name, label)).then((result) => result && props.onChange());
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="labels-heading">
      <h3 id="labels-heading">Labels</h3>
      <label htmlFor="label-name">Label</label>
      <input id="label-name" value={label} onChange={(event) => setLabel(event.target.value)} required />
      <label htmlFor="label-version">Version</label>
      <select id="label-version" value={version} onChange={(event) => setVersion(event.target.value)}>
        {detail.versions.map((item) => (
          <option key={item.version} value={item.version}>
            v{item.version}
          </option>
        ))}
      </select>
      <div className="actions">
        <button type="submit" disabled={action.pending}>
          Point label
        </button>
        <button type="button" className="secondary" disabled={action.pending} onClick={rollback}>
          Roll label back
        </button>
      </div>
      {action.error ? <ErrorNotice error={action.error} /> : null}
      <AsyncView data={history} what="label history">
        {(value) =>
          value.data.length === 0 ? (
            <p className="muted">“{label}” has never been moved.</p>
          ) : (
            <ul className="history" aria-label={`History of ${label}`}>
              {value.data.map((move) => (
                <li key={move.at + move.label + move.to_version}>
                  {dateTime(move.at)}: {move.from_version === null ? 'set' : `v${move.from_version} →`} v{move.to_version} by {move.actor}
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
    </form>
  );
}
