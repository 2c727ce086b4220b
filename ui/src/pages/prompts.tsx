/** Versioned prompts: the list, and a new prompt in a few fields. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { AsyncView, Empty, ErrorNotice, useAction, useAsync } from '../components/async.js';
import { dateTime } from '../components/format.js';
import { Link, navigate } from '../router.js';
import { useClient } from '../session.js';
import { variablesOf } from './prompt-editor.js';

export function PromptsPage(): ReactNode {
  const client = useClient();
  const prompts = useAsync(() => client.prompts.list(), [client]);
  return (
    <section>
      <h1>Prompts</h1>
      <AsyncView data={prompts} what="prompts">
        {(value) =>
          value.data.length === 0 ? (
            <Empty>No prompts yet: create the first one below, or push one with `fener prompts push`.</Empty>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Latest version</th>
                  <th scope="col">Labels</th>
                  <th scope="col">Updated (UTC)</th>
                </tr>
              </thead>
              <tbody>
                {value.data.map((prompt) => (
                  <tr key={prompt.name}>
                    <th scope="row">
                      <Link to={`/prompts/${encodeURIComponent(prompt.name)}`}>{prompt.name}</Link>
                    </th>
                    <td>v{prompt.latest_version}</td>
                    <td>
                      {Object.entries(prompt.labels).map(([label, version]) => (
                        <span key={label} className="badge">
                          {label} → v{version}
                        </span>
                      ))}
                    </td>
                    <td>{dateTime(prompt.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </AsyncView>
      <NewPrompt />
    </section>
  );
}

function NewPrompt(): ReactNode {
  const client = useClient();
  const [name, setName] = useState('');
  const [model, setModel] = useState('');
  const [system, setSystem] = useState('');
  const [user, setUser] = useState('');
  const action = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const messages = [...(system.trim() ? [{ role: 'system' as const, content: system }] : []), { role: 'user' as const, content: user }];
    void action
      .run(() =>
        client.prompts.push({
          name: name.trim(),
          messages,
          variables: variablesOf(messages, {}),
          parameters: model.trim() ? { model: model.trim() } : {},
        }),
      )
      .then((result) => {
        if (result) navigate(`/prompts/${encodeURIComponent(result.version.name)}`);
      });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-prompt">
      <h2 id="new-prompt">New prompt</h2>
      <label htmlFor="prompt-name">Name</label>
      <input id="prompt-name" value={name} onChange={(event) => setName(event.target.value)} required placeholder="support-reply" />
      <label htmlFor="prompt-model">Model (optional)</label>
      <input id="prompt-model" value={model} onChange={(event) => setModel(event.target.value)} placeholder="a configured model name" />
      <label htmlFor="prompt-system">System message (optional)</label>
      <textarea id="prompt-system" rows={3} value={system} onChange={(event) => setSystem(event.target.value)} />
      <label htmlFor="prompt-user">User message</label>
      <textarea
        id="prompt-user"
        rows={3}
        value={user}
        onChange={(event) => setUser(event.target.value)}
        required
        placeholder="Answer {{question}}"
      />
      <p className="muted">{'{{name}}'} placeholders become string variables.</p>
      <button type="submit" disabled={action.pending}>
        {action.pending ? 'Creating…' : 'Create prompt'}
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}
