/** Every call through the gateway, newest first: filters, cursor pagination, one click to the full trace. */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { Trace, TraceQuery } from '../../../src/sdk/browser.js';
import { Empty, ErrorNotice, Loading, useAction } from '../components/async.js';
import { TimeChart } from '../components/chart.js';
import { count, dateTime, ms, usd } from '../components/format.js';
import { Link, navigate } from '../router.js';
import { useClient } from '../session.js';

interface Filters {
  model: string;
  status: '' | 'ok' | 'error';
  key_id: string;
  user: string;
  session_id: string;
  from: string;
  to: string;
}

const noFilters: Filters = { model: '', status: '', key_id: '', user: '', session_id: '', from: '', to: '' };

function toQuery(filters: Filters): TraceQuery {
  const query: TraceQuery = { limit: 50 };
  if (filters.model) query.model = filters.model;
  if (filters.status) query.status = filters.status;
  if (filters.key_id) query.key_id = filters.key_id;
  if (filters.user) query.user = filters.user;
  if (filters.session_id) query.session_id = filters.session_id;
  // datetime-local is the viewer's local time; Date.parse reads it as such.
  if (filters.from) query.from = Date.parse(filters.from);
  if (filters.to) query.to = Date.parse(filters.to);
  return query;
}

export function TracesPage(): ReactNode {
  const client = useClient();
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [applied, setApplied] = useState<Filters>(noFilters);
  const [rows, setRows] = useState<Trace[] | undefined>();
  const [cursor, setCursor] = useState<string | null>(null);
  const action = useAction();

  useEffect(() => {
    setRows(undefined);
    void action.run(async () => {
      const page = await client.traces.list(toQuery(applied));
      setRows(page.data);
      setCursor(page.next_cursor);
    });
    // action is a fresh object each render; the list reloads when the filters or the key change.
  }, [client, applied]);
  const more = (): void => {
    if (cursor === null) return;
    void action.run(async () => {
      const page = await client.traces.list({ ...toQuery(applied), cursor });
      setRows((current) => [...(current ?? []), ...page.data]);
      setCursor(page.next_cursor);
    });
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setApplied(draft);
  };
  const field = (name: keyof Filters, label: string, type = 'text'): ReactNode => (
    <div className="field">
      <label htmlFor={`filter-${name}`}>{label}</label>
      <input
        id={`filter-${name}`}
        type={type}
        value={draft[name]}
        onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
      />
    </div>
  );
  return (
    <section>
      <h1>Traces</h1>
      <form className="filters" onSubmit={submit} aria-label="Filter traces">
        {field('model', 'Model')}
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select
            id="filter-status"
            value={draft.status}
            onChange={(event) => setDraft({ ...draft, status: event.target.value as Filters['status'] })}
          >
            <option value="">Any</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
          </select>
        </div>
        {field('key_id', 'Key id')}
        {field('user', 'End user')}
        {field('session_id', 'Session')}
        {field('from', 'From', 'datetime-local')}
        {field('to', 'To', 'datetime-local')}
        <div className="field actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setDraft(noFilters);
              setApplied(noFilters);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {action.error ? <ErrorNotice error={action.error} /> : null}
      {rows === undefined ? action.error ? null : <Loading what="traces" /> : <TraceTable rows={rows} />}
      {cursor !== null && rows !== undefined ? (
        <button type="button" onClick={more} disabled={action.pending}>
          {action.pending ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </section>
  );
}

function TraceTable(props: { rows: Trace[] }): ReactNode {
  const { rows } = props;
  if (rows.length === 0) {
    return (
      <Empty>
        <p>No traces match.</p>
        <p>
          Every call through <code>/v1</code> is traced here a moment after it finishes.
        </p>
      </Empty>
    );
  }
  const ordered = [...rows].reverse();
  return (
    <>
      <TimeChart
        title={`Latency of these ${rows.length} calls`}
        times={ordered.map((trace) => trace.created_at)}
        series={[
          { label: 'Latency', values: ordered.map((trace) => trace.latency_ms), color: '#2563eb' },
          { label: 'TTFT', values: ordered.map((trace) => trace.ttft_ms), color: '#16a34a' },
        ]}
        unit=" ms"
        height={140}
      />
      <table className="traces">
        <caption className="visually-hidden">Traces, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            <th scope="col">Model</th>
            <th scope="col">Status</th>
            <th scope="col">Latency</th>
            <th scope="col">TTFT</th>
            <th scope="col">Tokens in / out</th>
            <th scope="col">Cost</th>
            <th scope="col">Key</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((trace) => (
            <tr key={trace.id} className="clickable" onClick={() => navigate(`/traces/${trace.id}`)}>
              <td>
                <Link to={`/traces/${trace.id}`}>{dateTime(trace.created_at)}</Link>
              </td>
              <td>{trace.model}</td>
              <td>
                <span className={`badge ${trace.status}`}>{trace.status === 'ok' ? 'ok' : (trace.error_code ?? 'error')}</span>
              </td>
              <td>{ms(trace.latency_ms)}</td>
              <td>{ms(trace.ttft_ms)}</td>
              <td>
                {count(trace.input_tokens)} / {count(trace.output_tokens)}
              </td>
              <td>{usd(trace.cost_usd)}</td>
              <td>
                <code>{trace.key_id ?? '–'}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
