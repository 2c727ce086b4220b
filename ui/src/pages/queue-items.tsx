/**
 * Traces into an annotation queue: on the queue's page by ids or a filter, and on a trace's page
 * that one trace into a queue of its project. An explicit queue is told who reviews them, chosen
 * from its reviewers so that a name cannot be mistyped.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { AddQueueItemsInput, AnnotationQueue, QueueTraceFilter, Trace } from '../../../src/sdk/browser.js';
import { AsyncView, Empty, ErrorNotice, useAction, useAsync } from '../components/async.js';
import { listOf } from '../components/inputs.js';
import { Link } from '../router.js';
import { useClient } from '../session.js';
import { queuePath } from './feedback.js';

/**
 * The reviewers to send: only an explicit queue takes them. None chosen sends none, so that the
 * API's refusal names how many the queue needs.
 */
function reviewersFor(queue: AnnotationQueue, chosen: string[]): { reviewers?: string[] } {
  return queue.assignment === 'explicit' && chosen.length > 0 ? { reviewers: chosen } : {};
}

function ReviewerChoice(props: { queue: AnnotationQueue; of: string; chosen: string[]; onChange(chosen: string[]): void }): ReactNode {
  const { queue, chosen } = props;
  if (queue.assignment !== 'explicit') return null;
  const toggle = (name: string, on: boolean): void =>
    props.onChange(queue.reviewers.filter((reviewer) => (reviewer === name ? on : chosen.includes(reviewer))));
  return (
    <fieldset className="choices">
      <legend>
        Reviewers of {props.of} (at least {queue.required_reviews})
      </legend>
      {queue.reviewers.map((name) => (
        <label key={name} className="checkbox">
          <input type="checkbox" checked={chosen.includes(name)} onChange={(event) => toggle(name, event.target.checked)} />
          {name}
        </label>
      ))}
    </fieldset>
  );
}

interface FilterFields {
  model: string;
  status: '' | 'ok' | 'error';
  user: string;
  session_id: string;
}

function traceFilter(fields: FilterFields): QueueTraceFilter {
  const filter: QueueTraceFilter = {};
  if (fields.model.trim()) filter.model = fields.model.trim();
  if (fields.status) filter.status = fields.status;
  if (fields.user.trim()) filter.user = fields.user.trim();
  if (fields.session_id.trim()) filter.session_id = fields.session_id.trim();
  return filter;
}

function FilterInputs(props: { value: FilterFields; onChange(value: FilterFields): void }): ReactNode {
  const text = (name: 'model' | 'user' | 'session_id', label: string): ReactNode => (
    <div>
      <label htmlFor={`add-${name}`}>{label}</label>
      <input
        id={`add-${name}`}
        value={props.value[name]}
        onChange={(event) => props.onChange({ ...props.value, [name]: event.target.value })}
        placeholder="any"
      />
    </div>
  );
  return (
    <>
      {text('model', 'Model')}
      <div>
        <label htmlFor="add-status">Status</label>
        <select
          id="add-status"
          value={props.value.status}
          onChange={(event) => props.onChange({ ...props.value, status: event.target.value as FilterFields['status'] })}
        >
          <option value="">any</option>
          <option value="ok">ok</option>
          <option value="error">error</option>
        </select>
      </div>
      {text('user', 'End user')}
      {text('session_id', 'Session')}
    </>
  );
}

/** On a queue's page: traces by their ids, or the newest that match a filter. */
export function AddQueueItemsForm(props: { queue: AnnotationQueue; onAdded(): void }): ReactNode {
  const client = useClient();
  const [by, setBy] = useState<'ids' | 'filter'>('ids');
  const [ids, setIds] = useState('');
  const [filter, setFilter] = useState<FilterFields>({ model: '', status: '', user: '', session_id: '' });
  const [limit, setLimit] = useState('100');
  const [reviewers, setReviewers] = useState<string[]>([]);
  const [report, setReport] = useState<string | undefined>();
  const action = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setReport(undefined);
    const who = reviewersFor(props.queue, reviewers);
    const input: AddQueueItemsInput =
      by === 'ids' ? { ...who, trace_ids: listOf(ids) } : { ...who, trace_filter: traceFilter(filter), limit: Number(limit) };
    void action
      .run(() => client.queues.addItems(props.queue.name, input))
      .then((result) => {
        if (!result) return;
        setReport(`${result.added} added, ${result.skipped} already in the queue.`);
        if (by === 'ids') setIds('');
        props.onAdded();
      });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="add-items">
      <h2 id="add-items">Add traces</h2>
      <fieldset>
        <legend>Which traces</legend>
        <label className="checkbox">
          <input type="radio" name="add-by" checked={by === 'ids'} onChange={() => setBy('ids')} /> By trace id
        </label>
        <label className="checkbox">
          <input type="radio" name="add-by" checked={by === 'filter'} onChange={() => setBy('filter')} /> The newest matching a filter
        </label>
      </fieldset>
      {by === 'ids' ? (
        <div>
          <label htmlFor="add-ids">Trace ids (one per line or comma-separated)</label>
          <textarea id="add-ids" rows={3} value={ids} onChange={(event) => setIds(event.target.value)} required />
        </div>
      ) : (
        <div className="grid">
          <FilterInputs value={filter} onChange={setFilter} />
          <div>
            <label htmlFor="add-limit">At most</label>
            <input id="add-limit" type="number" min={1} value={limit} onChange={(event) => setLimit(event.target.value)} />
          </div>
        </div>
      )}
      <ReviewerChoice queue={props.queue} of="these items" chosen={reviewers} onChange={setReviewers} />
      <button type="submit" disabled={action.pending}>
        Add to queue
      </button>
      {report ? <p role="status">{report}</p> : null}
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}

/** On a trace's page: this trace into one of its project's queues. */
export function AddTraceToQueue(props: { trace: Trace }): ReactNode {
  const client = useClient();
  const queues = useAsync(() => client.queues.list(), [client]);
  return (
    <div className="card" role="region" aria-labelledby="trace-to-queue">
      <h3 id="trace-to-queue">Add to an annotation queue</h3>
      <AsyncView data={queues} what="annotation queues">
        {(value) => {
          const own = value.data.filter((queue) => queue.project_id === props.trace.project_id);
          return own.length === 0 ? (
            <Empty>
              This trace's project has no annotation queue yet (the admin key creates them on the <Link to="/feedback">Feedback</Link>{' '}
              page).
            </Empty>
          ) : (
            <TraceQueueForm trace={props.trace} queues={own} />
          );
        }}
      </AsyncView>
    </div>
  );
}

function TraceQueueForm(props: { trace: Trace; queues: AnnotationQueue[] }): ReactNode {
  const client = useClient();
  const [name, setName] = useState(props.queues[0]?.name ?? '');
  const [reviewers, setReviewers] = useState<string[]>([]);
  const [outcome, setOutcome] = useState<{ queue: string; added: boolean } | undefined>();
  const action = useAction();
  const queue = props.queues.find((entry) => entry.name === name) ?? props.queues[0];
  if (!queue) return null;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setOutcome(undefined);
    void action
      .run(() => client.queues.addItems(queue.name, { ...reviewersFor(queue, reviewers), trace_ids: [props.trace.id] }))
      .then((result) => result && setOutcome({ queue: queue.name, added: result.added === 1 }));
  };
  return (
    <form onSubmit={submit} aria-label="Add this trace to a queue">
      <label htmlFor="trace-queue">Queue</label>
      <select
        id="trace-queue"
        value={queue.name}
        onChange={(event) => {
          setName(event.target.value);
          setReviewers([]);
          setOutcome(undefined);
        }}
      >
        {props.queues.map((entry) => (
          <option key={entry.id} value={entry.name}>
            {entry.name} (answers: {entry.score_name ?? 'thumbs'})
          </option>
        ))}
      </select>
      <ReviewerChoice queue={queue} of="this trace" chosen={reviewers} onChange={setReviewers} />
      <button type="submit" disabled={action.pending}>
        Add to queue
      </button>
      {outcome ? (
        <p className="state ok" role="status">
          {outcome.added ? 'Added to' : 'Already in'} <Link to={queuePath(outcome.queue)}>{outcome.queue}</Link>.
        </p>
      ) : null}
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}
