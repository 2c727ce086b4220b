/** Feedback on one trace: what was given already, and a form for thumbs, a score and a comment. */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { Feedback, FeedbackValue, ScoreDefinition, Trace } from '../../../src/sdk/browser.js';
import { AsyncView, Empty, ErrorNotice, useAction, useAsync } from '../components/async.js';
import { dateTime } from '../components/format.js';
import { Link } from '../router.js';
import { useClient, useRefresh } from '../session.js';

function feedbackValue(entry: Feedback): string {
  switch (entry.kind) {
    case 'thumbs':
      return entry.label === 'up' ? '👍 up' : '👎 down';
    case 'score':
      return String(entry.value);
    case 'label':
      return entry.label ?? '–';
    case 'correction':
      return entry.correction ?? '–';
    case 'preference':
      return `chose ${entry.preference?.chosen.trace_id ?? entry.preference?.chosen.text ?? '–'}`;
  }
}

export function TraceFeedback(props: { trace: Trace }): ReactNode {
  const client = useClient();
  const [refresh, bump] = useRefresh();
  const given = useAsync(() => client.feedback.list({ trace_id: props.trace.id, limit: 100 }), [client, props.trace.id, refresh]);
  const definitions = useAsync(() => client.feedback.scoreDefinitions(), [client]);
  return (
    <>
      <h2>Feedback</h2>
      <AsyncView data={given} what="feedback">
        {(value) =>
          value.data.length === 0 ? (
            <Empty>No feedback on this trace yet.</Empty>
          ) : (
            <table className="trace-feedback">
              <caption className="visually-hidden">Feedback on this trace, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Value</th>
                  <th scope="col">Comment</th>
                  <th scope="col">From</th>
                  <th scope="col">When (UTC)</th>
                </tr>
              </thead>
              <tbody>
                {value.data.map((entry) => (
                  <tr key={entry.id}>
                    <th scope="row">{entry.name}</th>
                    <td>{entry.kind}</td>
                    <td>{feedbackValue(entry)}</td>
                    <td>{entry.comment ?? '–'}</td>
                    <td>{entry.author ?? entry.principal}</td>
                    <td>{dateTime(entry.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </AsyncView>
      <AsyncView data={definitions} what="score definitions">
        {(value) => (
          <FeedbackForm
            trace={props.trace}
            scores={value.data.filter((entry) => entry.kind === 'numeric' && entry.project_id === props.trace.project_id)}
            onSent={bump}
          />
        )}
      </AsyncView>
    </>
  );
}

function FeedbackForm(props: { trace: Trace; scores: ScoreDefinition[]; onSent(): void }): ReactNode {
  const client = useClient();
  const [thumbs, setThumbs] = useState<'up' | 'down' | undefined>();
  const [scoreName, setScoreName] = useState(props.scores[0]?.name ?? '');
  const [score, setScore] = useState('');
  const [comment, setComment] = useState('');
  const [sent, setSent] = useState(0);
  const action = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const extra = comment.trim() ? { comment: comment.trim() } : {};
    const values: FeedbackValue[] = [];
    if (thumbs) values.push({ kind: 'thumbs', value: thumbs, ...extra });
    if (score !== '' && scoreName) values.push({ kind: 'score', name: scoreName, value: Number(score), ...(thumbs ? {} : extra) });
    void action
      .run(async () => {
        for (const value of values) await client.feedback.create(props.trace.id, value);
        return values.length;
      })
      .then((count) => {
        if (!count) return;
        setSent(count);
        setThumbs(undefined);
        setScore('');
        setComment('');
        props.onSent();
      });
  };
  const thumb = (value: 'up' | 'down', label: string): ReactNode => (
    <button
      type="button"
      className={thumbs === value ? 'selected' : 'secondary'}
      aria-pressed={thumbs === value}
      onClick={() => setThumbs(thumbs === value ? undefined : value)}
    >
      {label}
    </button>
  );
  return (
    <form className="card" onSubmit={submit} aria-labelledby="give-feedback">
      <h3 id="give-feedback">Give feedback</h3>
      <div className="inline" role="group" aria-label="Rating">
        {thumb('up', '👍 Thumbs up')}
        {thumb('down', '👎 Thumbs down')}
      </div>
      <ScoreFields scores={props.scores} name={scoreName} value={score} onName={setScoreName} onValue={setScore} />
      <label htmlFor="feedback-comment">Comment (optional)</label>
      <textarea id="feedback-comment" rows={2} value={comment} onChange={(event) => setComment(event.target.value)} />
      <button type="submit" disabled={action.pending || (thumbs === undefined && score === '')}>
        {action.pending ? 'Sending…' : 'Send feedback'}
      </button>
      {sent > 0 && !action.pending && !action.error ? (
        <p className="state ok" role="status">
          Feedback sent.
        </p>
      ) : null}
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}

/** A numeric score of the trace's project: which one, and its value (within its range). */
function ScoreFields(props: {
  scores: ScoreDefinition[];
  name: string;
  value: string;
  onName(name: string): void;
  onValue(value: string): void;
}): ReactNode {
  const definition = props.scores.find((entry) => entry.name === props.name);
  return (
    <>
      {props.scores.length === 0 ? (
        <p className="muted">
          No numeric score is defined for this project (the admin key defines them on the <Link to="/feedback">Feedback</Link> page).
        </p>
      ) : (
        <div className="inline">
          <label htmlFor="feedback-score-name">Score</label>
          <select id="feedback-score-name" value={props.name} onChange={(event) => props.onName(event.target.value)}>
            {props.scores.map((entry) => (
              <option key={entry.name} value={entry.name}>
                {entry.name}
              </option>
            ))}
          </select>
          <label htmlFor="feedback-score-value">
            Value{definition && definition.min !== null && definition.max !== null ? ` (${definition.min}–${definition.max})` : ''}
          </label>
          <input
            id="feedback-score-value"
            type="number"
            step="any"
            value={props.value}
            onChange={(event) => props.onValue(event.target.value)}
            {...(definition?.min === null || definition?.min === undefined ? {} : { min: definition.min })}
            {...(definition?.max === null || definition?.max === undefined ? {} : { max: definition.max })}
          />
        </div>
      )}
    </>
  );
}
