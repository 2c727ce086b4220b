/** Editing a prompt version's messages and parameters; saving pushes a new version. */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { PromptMessage, PromptVariable, PromptVersion, PushResult } from '../../../src/sdk/browser.js';
import { ErrorNotice, useAction } from '../components/async.js';
import { json } from '../components/format.js';
import { useClient } from '../session.js';

const roles: PromptMessage['role'][] = ['system', 'developer', 'user', 'assistant'];
const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The declared variables, plus a string variable for every new `{{name}}`; unused ones are dropped. */
export function variablesOf(messages: PromptMessage[], declared: Record<string, PromptVariable>): Record<string, PromptVariable> {
  const used = new Set(messages.flatMap((message) => [...message.content.matchAll(placeholder)].map((match) => match[1] ?? '')));
  return Object.fromEntries([...used].map((name) => [name, declared[name] ?? { type: 'string' as const }]));
}

export function PromptEditor(props: { base: PromptVersion; onSaved(result: PushResult): void }): ReactNode {
  const client = useClient();
  const [messages, setMessages] = useState<PromptMessage[]>(props.base.messages);
  const [parameters, setParameters] = useState(json(props.base.parameters));
  const [parametersError, setParametersError] = useState<string | undefined>();
  const action = useAction();
  const update = (index: number, change: Partial<PromptMessage>): void =>
    setMessages(messages.map((message, at) => (at === index ? { ...message, ...change } : message)));
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(parameters);
    } catch {
      setParametersError('Parameters must be a JSON object.');
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      setParametersError('Parameters must be a JSON object.');
      return;
    }
    setParametersError(undefined);
    void action
      .run(() =>
        client.prompts.push({
          name: props.base.name,
          messages,
          variables: variablesOf(messages, props.base.variables),
          parameters: parsed as Record<string, unknown>,
          tools: props.base.tools,
        }),
      )
      .then((result) => result && props.onSaved(result));
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="edit-heading">
      <h3 id="edit-heading">Edit (from v{props.base.version}) → saves a new version</h3>
      {messages.map((message, index) => (
        <fieldset key={index} className="message-edit">
          <legend>Message {index + 1}</legend>
          <label htmlFor={`role-${index}`}>Role</label>
          <select
            id={`role-${index}`}
            value={message.role}
            onChange={(event) => update(index, { role: event.target.value as PromptMessage['role'] })}
          >
            {roles.map((role) => (
              <option key={role}>{role}</option>
            ))}
          </select>
          <label htmlFor={`content-${index}`}>Content</label>
          <textarea
            id={`content-${index}`}
            rows={4}
            value={message.content}
            onChange={(event) => update(index, { content: event.target.value })}
          />
          <button
            type="button"
            className="secondary"
            disabled={messages.length === 1}
            onClick={() => setMessages(messages.filter((_, at) => at !== index))}
          >
            Remove message {index + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" className="secondary" onClick={() => setMessages([...messages, { role: 'user', content: '' }])}>
        Add a message
      </button>
      <label htmlFor="parameters">Parameters (JSON)</label>
      <textarea id="parameters" rows={4} value={parameters} onChange={(event) => setParameters(event.target.value)} />
      {parametersError ? (
        <p className="state error" role="alert">
          {parametersError}
        </p>
      ) : null}
      <button type="submit" disabled={action.pending}>
        {action.pending ? 'Saving…' : 'Save as new version'}
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}
