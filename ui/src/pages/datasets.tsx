/** Datasets: the list, and a new (empty) dataset to import into. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { AsyncView, Empty, ErrorNotice, useAction, useAsync } from '../components/async.js';
import { dateTime } from '../components/format.js';
import { Link, navigate } from '../router.js';
import { useClient } from '../session.js';

export function datasetPath(name: string): string {
  return `/datasets/${encodeURIComponent(name)}`;
}

export function DatasetsPage(): ReactNode {
  const client = useClient();
  const datasets = useAsync(() => client.datasets.list(), [client]);
  return (
    <section>
      <h1>Datasets</h1>
      <AsyncView data={datasets} what="datasets">
        {(value) =>
          value.data.length === 0 ? (
            <Empty>No datasets yet: create one below and import JSONL into it, or run `fener datasets import`.</Empty>
          ) : (
            <table>
              <caption className="visually-hidden">Datasets</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Latest version</th>
                  <th scope="col">Description</th>
                  <th scope="col">Updated (UTC)</th>
                </tr>
              </thead>
              <tbody>
                {value.data.map((dataset) => (
                  <tr key={dataset.name}>
                    <th scope="row">
                      <Link to={datasetPath(dataset.name)}>{dataset.name}</Link>
                    </th>
                    <td>{dataset.latest_version === 0 ? 'empty' : `v${dataset.latest_version}`}</td>
                    <td>{dataset.description ?? '–'}</td>
                    <td>{dateTime(dataset.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </AsyncView>
      <NewDataset />
    </section>
  );
}

function NewDataset(): ReactNode {
  const client = useClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const action = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void action
      .run(() => client.datasets.create({ name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) }))
      .then((created) => {
        if (created) navigate(datasetPath(created.name));
      });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-dataset">
      <h2 id="new-dataset">New dataset</h2>
      <label htmlFor="dataset-name">Name</label>
      <input id="dataset-name" value={name} onChange={(event) => setName(event.target.value)} required placeholder="support-qa" />
      <label htmlFor="dataset-description">Description (optional)</label>
      <input id="dataset-description" value={description} onChange={(event) => setDescription(event.target.value)} />
      <button type="submit" disabled={action.pending || name.trim() === ''}>
        {action.pending ? 'Creating…' : 'Create dataset'}
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}
