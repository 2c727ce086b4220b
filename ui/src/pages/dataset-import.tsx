/** Import JSONL (pasted, or read from a file in the browser) as a new version of a dataset. */
import { useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import type { BuildReport } from '../../../src/sdk/browser.js';
import { ErrorNotice, useAction } from '../components/async.js';
import { count } from '../components/format.js';
import { useClient } from '../session.js';

export function DatasetImport(props: { name: string; hasVersions: boolean; onImported(): void }): ReactNode {
  const client = useClient();
  const [text, setText] = useState('');
  const [filename, setFilename] = useState<string | undefined>();
  const [append, setAppend] = useState(false);
  const [keepValid, setKeepValid] = useState(false);
  const [report, setReport] = useState<BuildReport | undefined>();
  const action = useAction();

  const readFile = (event: ChangeEvent<HTMLInputElement>): void => {
    const file = event.target.files?.[0];
    if (!file) return;
    setFilename(file.name);
    void file.text().then(setText);
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setReport(undefined);
    const options = { append, keep_valid: keepValid, ...(filename === undefined ? {} : { filename }) };
    void action
      .run(() => client.datasets.importText(props.name, text.endsWith('\n') ? text : `${text}\n`, options))
      .then((result) => {
        if (!result) return;
        setReport(result);
        setText('');
        setFilename(undefined);
        props.onImported();
      });
  };
  const lines = text === '' ? 0 : text.trimEnd().split('\n').length;
  return (
    <form className="card" onSubmit={submit} aria-labelledby="import-heading">
      <h2 id="import-heading">Import JSONL as a new version</h2>
      <p className="muted">
        One item per line: <code>{'{"id": "q1", "messages": [{"role": "user", "content": "…"}], "expected": "…"}'}</code> (or{' '}
        <code>variables</code> instead of <code>messages</code>); ids must be unique in the version.
      </p>
      <label htmlFor="import-file">JSONL file</label>
      <input id="import-file" type="file" accept=".jsonl,.ndjson,.json,application/x-ndjson,text/plain" onChange={readFile} />
      <label htmlFor="import-text">Or paste the lines</label>
      <textarea
        id="import-text"
        rows={6}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setFilename(undefined);
        }}
        spellCheck={false}
      />
      <p className="muted">
        {lines} line{lines === 1 ? '' : 's'}
        {filename ? ` from ${filename}` : ''}
      </p>
      <label className="checkbox">
        <input type="checkbox" checked={append} disabled={!props.hasVersions} onChange={(event) => setAppend(event.target.checked)} />
        Add to the latest version (otherwise the new version holds only these items)
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={keepValid} onChange={(event) => setKeepValid(event.target.checked)} />
        Keep the valid lines when some are rejected
      </label>
      <button type="submit" disabled={action.pending || text.trim() === ''}>
        {action.pending ? 'Importing…' : 'Import'}
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
      {report ? <ImportReport report={report} /> : null}
    </form>
  );
}

function ImportReport(props: { report: BuildReport }): ReactNode {
  const { report } = props;
  return (
    <div className="state ok" role="status">
      {report.created ? `Created v${report.version}` : `Same content as v${report.version}: no new version`} — {count(report.accepted)}{' '}
      accepted, {count(report.rejected)} rejected, {count(report.item_count)} items in the version.
      {report.rejected_lines.length > 0 ? (
        <ul aria-label="Rejected lines">
          {report.rejected_lines.map((line) => (
            <li key={line.line}>
              line {line.line}: {line.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
