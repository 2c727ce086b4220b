/** Two versions side by side, as the server's line diff. */
import { useState, type ReactNode } from 'react';
import type { PromptDetail } from '../../../src/sdk/browser.js';
import { AsyncView, useAsync } from '../components/async.js';
import { useClient } from '../session.js';

export function PromptDiffView(props: { detail: PromptDetail }): ReactNode {
  const client = useClient();
  const { detail } = props;
  const latest = detail.latest_version;
  const oldest = detail.versions[detail.versions.length - 1]?.version ?? latest;
  const [from, setFrom] = useState(detail.versions[1]?.version ?? oldest);
  const [to, setTo] = useState(latest);
  const diff = useAsync(() => client.prompts.diff(detail.name, from, to), [client, detail.name, from, to]);
  const picker = (id: string, label: string, pick: { value: number; set(value: number): void }): ReactNode => (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={pick.value} onChange={(event) => pick.set(Number(event.target.value))}>
        {detail.versions.map((item) => (
          <option key={item.version} value={item.version}>
            v{item.version}
          </option>
        ))}
      </select>
    </>
  );
  return (
    <section aria-labelledby="diff-heading">
      <h2 id="diff-heading">Diff</h2>
      <form className="inline" onSubmit={(event) => event.preventDefault()}>
        {picker('diff-from', 'From', { value: from, set: setFrom })}
        {picker('diff-to', 'To', { value: to, set: setTo })}
      </form>
      <AsyncView data={diff} what="the diff">
        {(value) =>
          value.identical ? (
            <p className="muted">
              v{value.from} and v{value.to} are identical.
            </p>
          ) : (
            <div className="diff" aria-label={`Changes from v${value.from} to v${value.to}`}>
              {Object.entries(value.sections)
                .filter(([, lines]) => lines.some((line) => line.op !== 'equal'))
                .map(([section, lines]) => (
                  <div key={section}>
                    <h3>{section}</h3>
                    <pre>
                      {lines.map((line, index) => (
                        <span key={index} className={`diff-${line.op}`}>
                          {line.op === 'add' ? '+ ' : line.op === 'remove' ? '- ' : '  '}
                          {line.text}
                        </span>
                      ))}
                    </pre>
                  </div>
                ))}
            </div>
          )
        }
      </AsyncView>
    </section>
  );
}
