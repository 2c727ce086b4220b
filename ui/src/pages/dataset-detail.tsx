/** One dataset: its versions with lineage, a version's items page by page, a diff of two versions, export, preparation and import. */
import { useState, type ReactNode } from 'react';
import type { DatasetDetail, DatasetItem, DiffKind } from '../../../src/sdk/browser.js';
import { AsyncView, Empty, useAsync } from '../components/async.js';
import { count, dateTime, json } from '../components/format.js';
import { PagerButtons, useCursorPages } from '../components/pager.js';
import { Link } from '../router.js';
import { useClient, useRefresh } from '../session.js';
import { DatasetImport } from './dataset-import.js';
import { DatasetExport, DatasetPrepare } from './dataset-prepare.js';

export function DatasetDetailPage(props: { name: string }): ReactNode {
  const client = useClient();
  const [refresh, bump] = useRefresh();
  const dataset = useAsync(() => client.datasets.get(props.name), [client, props.name, refresh]);
  return (
    <section>
      <p>
        <Link to="/datasets">← Datasets</Link>
      </p>
      <AsyncView data={dataset} what="the dataset">
        {(value) => (
          <>
            <h1>Dataset {value.name}</h1>
            <p className="muted">{value.description ?? 'No description.'}</p>
            <Versions dataset={value} />
            {value.versions.length > 0 ? <Items dataset={value} key={`items-${value.latest_version}`} /> : null}
            {value.versions.length > 1 ? <Diff dataset={value} key={`diff-${value.latest_version}`} /> : null}
            {value.versions.length > 0 ? <DatasetExport dataset={value} /> : null}
            {value.versions.length > 0 ? <DatasetPrepare dataset={value} onChanged={bump} /> : null}
            <DatasetImport name={value.name} hasVersions={value.versions.length > 0} onImported={bump} />
          </>
        )}
      </AsyncView>
    </section>
  );
}

function sourceText(source: Record<string, unknown>): string {
  const parts = Object.entries(source).map(
    ([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
  );
  return parts.join(', ') || '–';
}

function Versions(props: { dataset: DatasetDetail }): ReactNode {
  const { versions } = props.dataset;
  if (versions.length === 0) return <Empty>No versions yet: import JSONL below.</Empty>;
  return (
    <>
      <h2>Versions</h2>
      <table>
        <caption className="visually-hidden">Versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Made from</th>
            <th scope="col">Step</th>
            <th scope="col">Items</th>
            <th scope="col">Source</th>
            <th scope="col">Created (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((version) => (
            <tr key={version.version}>
              <th scope="row">v{version.version}</th>
              <td>{version.parent_version === null ? '–' : `v${version.parent_version}`}</td>
              <td>{version.step}</td>
              <td>{count(version.item_count)}</td>
              <td>{sourceText(version.source)}</td>
              <td>
                {dateTime(version.created_at)} by {version.created_by}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The item's input as a person reads it: the chat messages' text, or the template variables. */
export function inputText(input: unknown): string {
  const messages = record(input)?.messages;
  if (Array.isArray(messages)) {
    return messages
      .map((message) => {
        const item = record(message);
        const content = item?.content;
        return `${String(item?.role ?? '?')}: ${typeof content === 'string' ? content : JSON.stringify(content)}`;
      })
      .join('\n');
  }
  return typeof input === 'string' ? input : json(input);
}

function valueText(value: unknown): string {
  if (value === undefined || value === null) return '–';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const pageSize = 25;

function Items(props: { dataset: DatasetDetail }): ReactNode {
  const client = useClient();
  const [version, setVersion] = useState(props.dataset.latest_version);
  const pages = useCursorPages(
    (after: number | undefined) =>
      client.datasets.items(props.dataset.name, version, { limit: pageSize, ...(after === undefined ? {} : { after }) }),
    [client, props.dataset.name, version],
  );
  const chooseVersion = (value: number): void => {
    setVersion(value);
    pages.reset();
  };
  return (
    <>
      <h2>Items</h2>
      <div className="inline">
        <label htmlFor="items-version">Version</label>
        <select id="items-version" value={version} onChange={(event) => chooseVersion(Number(event.target.value))}>
          {props.dataset.versions.map((entry) => (
            <option key={entry.version} value={entry.version}>
              v{entry.version} ({entry.item_count} items)
            </option>
          ))}
        </select>
      </div>
      <AsyncView data={pages.page} what="items">
        {(shown) => (
          <>
            <ItemsTable items={shown.value.data} />
            <PagerButtons
              pages={pages}
              shown={shown}
              nextCursor={shown.value.next}
              labels={{ previous: 'Previous page', next: 'Next page' }}
              numbered
            />
          </>
        )}
      </AsyncView>
    </>
  );
}

function ItemsTable(props: { items: DatasetItem[] }): ReactNode {
  if (props.items.length === 0) return <Empty>This version has no items.</Empty>;
  return (
    <table className="items">
      <caption className="visually-hidden">Items</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Id</th>
          <th scope="col">Split</th>
          <th scope="col">Input</th>
          <th scope="col">Expected</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((item) => (
          <tr key={item.id}>
            <td>{item.position}</td>
            <th scope="row">{item.id}</th>
            <td>{item.split ?? '–'}</td>
            <td>
              <pre>{inputText(item.input)}</pre>
            </td>
            <td>{valueText(item.expected)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const kinds: DiffKind[] = ['added', 'removed', 'changed'];

function Diff(props: { dataset: DatasetDetail }): ReactNode {
  const client = useClient();
  const { versions, name } = props.dataset;
  const [from, setFrom] = useState(versions[1]?.version ?? 1);
  const [to, setTo] = useState(versions[0]?.version ?? 1);
  const diff = useAsync(async () => {
    const lists = await Promise.all(kinds.map((kind) => client.datasets.diff(name, { from, to, kind, limit: 100 })));
    return { counts: lists[0]!.counts, ids: Object.fromEntries(kinds.map((kind, index) => [kind, lists[index]!.items ?? []])) };
  }, [client, name, from, to]);
  return (
    <>
      <h2>Diff</h2>
      <div className="inline">
        <VersionSelect id="diff-from" label="From version" versions={versions} value={from} onChange={setFrom} />
        <VersionSelect id="diff-to" label="To version" versions={versions} value={to} onChange={setTo} />
      </div>
      <AsyncView data={diff} what="the diff">
        {(value) => (
          <div className="diff-summary" aria-label={`Diff v${from} to v${to}`} role="group">
            <dl className="tiles">
              {(['added', 'removed', 'changed', 'unchanged'] as const).map((kind) => (
                <div key={kind} className={`tile diff-${kind}`}>
                  <dt>{kind}</dt>
                  <dd>{count(value.counts[kind])}</dd>
                </div>
              ))}
            </dl>
            {kinds.map((kind) =>
              (value.ids[kind] ?? []).length === 0 ? null : (
                <div key={kind}>
                  <h3>{kind[0]!.toUpperCase() + kind.slice(1)} items</h3>
                  <ul className="ids" aria-label={`${kind} items`}>
                    {(value.ids[kind] ?? []).map((entry) => (
                      <li key={entry.id}>
                        <code>{entry.id}</code>
                      </li>
                    ))}
                  </ul>
                </div>
              ),
            )}
          </div>
        )}
      </AsyncView>
    </>
  );
}

function VersionSelect(props: {
  id: string;
  label: string;
  versions: DatasetDetail['versions'];
  value: number;
  onChange(version: number): void;
}): ReactNode {
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(event) => props.onChange(Number(event.target.value))}>
        {props.versions.map((entry) => (
          <option key={entry.version} value={entry.version}>
            v{entry.version}
          </option>
        ))}
      </select>
    </>
  );
}
