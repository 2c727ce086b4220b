/** Who changed what, when: the hash-chained audit log, and a check that the chain is intact. */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { AuditEntry, AuditQuery } from '../../../src/sdk/browser.js';
import { Empty, ErrorNotice, Loading, useAction } from '../components/async.js';
import { dateTime, json } from '../components/format.js';
import { useClient } from '../session.js';

export function AuditPage(): ReactNode {
  const client = useClient();
  const [objectType, setObjectType] = useState('');
  const [actor, setActor] = useState('');
  const [query, setQuery] = useState<AuditQuery>({ limit: 50 });
  const [entries, setEntries] = useState<AuditEntry[] | undefined>();
  const [cursor, setCursor] = useState<string | null>(null);
  const list = useAction();
  const verify = useAction();
  const [verdict, setVerdict] = useState<string | undefined>();
  useEffect(() => {
    setEntries(undefined);
    void list.run(async () => {
      const page = await client.audit.list(query);
      setEntries(page.data);
      setCursor(page.next_cursor);
    });
  }, [client, query]);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setQuery({ limit: 50, ...(objectType ? { object_type: objectType } : {}), ...(actor ? { actor } : {}) });
  };
  const more = (): void => {
    if (cursor === null) return;
    void list.run(async () => {
      const page = await client.audit.list({ ...query, cursor });
      setEntries((current) => [...(current ?? []), ...page.data]);
      setCursor(page.next_cursor);
    });
  };
  const check = (): void => {
    void verify.run(async () => {
      const result = await client.audit.verify();
      setVerdict(
        result.ok
          ? `Chain intact: ${result.checked} entries checked.`
          : `Chain broken at entry ${result.broken?.seq ?? '?'}: ${result.broken?.reason ?? 'unknown reason'}`,
      );
    });
  };
  return (
    <section>
      <header className="page-header">
        <h1>Audit log</h1>
        <button type="button" onClick={check} disabled={verify.pending}>
          {verify.pending ? 'Verifying…' : 'Verify the chain'}
        </button>
      </header>
      {verdict ? (
        <p className={`state ${verdict.startsWith('Chain intact') ? 'ok' : 'error'}`} role="status">
          {verdict}
        </p>
      ) : null}
      {verify.error ? <ErrorNotice error={verify.error} /> : null}
      <form className="filters" onSubmit={submit} aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="audit-type">Object type</label>
          <input id="audit-type" value={objectType} onChange={(event) => setObjectType(event.target.value)} placeholder="deployment" />
        </div>
        <div className="field">
          <label htmlFor="audit-actor">Actor (key id)</label>
          <input id="audit-actor" value={actor} onChange={(event) => setActor(event.target.value)} />
        </div>
        <div className="field actions">
          <button type="submit">Apply filters</button>
        </div>
      </form>
      {list.error ? <ErrorNotice error={list.error} /> : null}
      {entries === undefined ? (
        list.error ? null : (
          <Loading what="the audit log" />
        )
      ) : entries.length === 0 ? (
        <Empty>No changes recorded yet.</Empty>
      ) : (
        <table>
          <caption className="visually-hidden">Audit entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Object</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>{entry.seq}</td>
                <td>{dateTime(entry.at)}</td>
                <td>
                  <code>{entry.actor}</code>
                </td>
                <td>{entry.action}</td>
                <td>
                  {entry.object_type} <code>{entry.object_id}</code>
                </td>
                <td>
                  <details>
                    <summary>Before / after</summary>
                    <pre>{json({ before: entry.before, after: entry.after })}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor !== null && entries !== undefined ? (
        <button type="button" onClick={more} disabled={list.pending}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
