/** Runs a prompt version for real: rendered by the server, sent through the gateway, traced like any call. */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { ChatCompletion, PromptVersion } from '../../../src/sdk/browser.js';
import { AsyncView, ErrorNotice, useAction, useAsync } from '../components/async.js';
import { count, ms } from '../components/format.js';
import { useClient } from '../session.js';

function initialValue(variable: PromptVersion['variables'][string]): string {
  if (variable.default === undefined) return '';
  return typeof variable.default === 'string' ? variable.default : JSON.stringify(variable.default);
}

/** Form text → the variable's type (numbers, booleans and JSON are parsed). */
function typed(type: string, text: string): unknown {
  if (type === 'number') return Number(text);
  if (type === 'boolean') return text === 'true';
  if (type === 'json') return JSON.parse(text) as unknown;
  return text;
}

export function Playground(props: { version: PromptVersion }): ReactNode {
  const client = useClient();
  const { version } = props;
  const models = useAsync(() => client.models.list(), [client]);
  const [model, setModel] = useState(typeof version.parameters.model === 'string' ? version.parameters.model : '');
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(version.variables).map(([name, variable]) => [name, initialValue(variable)])),
  );
  const [reply, setReply] = useState<{ completion: ChatCompletion; ms: number } | undefined>();
  const action = useAction();
  const run = (event: FormEvent): void => {
    event.preventDefault();
    setReply(undefined);
    void action.run(async () => {
      const variables = Object.fromEntries(
        Object.entries(version.variables).map(([name, variable]) => [name, typed(variable.type, values[name] ?? '')]),
      );
      const rendered = await client.prompts.render(version.name, { version: version.version, variables });
      const started = performance.now();
      const { model: _ignored, ...parameters } = rendered.parameters;
      const completion = await client.chat(
        {
          ...parameters,
          model,
          messages: rendered.messages,
          ...(rendered.tools.length > 0 ? { tools: rendered.tools } : {}),
        },
        { metadata: { source: 'console-playground', prompt: `${version.name}@${version.version}` } },
      );
      setReply({ completion, ms: performance.now() - started });
    });
  };
  return (
    <form className="card playground" onSubmit={run} aria-labelledby="playground-heading">
      <h3 id="playground-heading">Playground (v{version.version}, through the gateway)</h3>
      <label htmlFor="playground-model">Model</label>
      <AsyncView data={models} what="models">
        {(value) => (
          <select id="playground-model" value={model} onChange={(event) => setModel(event.target.value)} required>
            <option value="">Choose a model</option>
            {value.data
              .filter((item) => item.tasks.includes('chat'))
              .map((item) => (
                <option key={item.name} value={item.name}>
                  {item.name}
                </option>
              ))}
          </select>
        )}
      </AsyncView>
      {Object.entries(version.variables).map(([name, variable]) => (
        <div key={name}>
          <label htmlFor={`variable-${name}`}>
            {name} <span className="muted">({variable.type})</span>
          </label>
          <input
            id={`variable-${name}`}
            value={values[name] ?? ''}
            onChange={(event) => setValues({ ...values, [name]: event.target.value })}
          />
        </div>
      ))}
      <button type="submit" disabled={action.pending || model === ''}>
        {action.pending ? 'Running…' : 'Run'}
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
      {reply ? (
        <div className="reply" aria-live="polite">
          <h4>Reply</h4>
          <pre className="answer">{reply.completion.choices[0]?.message.content ?? ''}</pre>
          <p className="muted">
            {reply.completion.model} · {ms(reply.ms)} · {count(reply.completion.usage?.prompt_tokens ?? 0)} in /{' '}
            {count(reply.completion.usage?.completion_tokens ?? 0)} out · traced on the Traces page
          </p>
        </div>
      ) : null}
    </form>
  );
}
