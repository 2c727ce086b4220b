/** One annotation queue: a reviewer's next item, the answer controls for the queue's score, progress and agreement. */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { AnnotationItem, AnnotationQueue, FeedbackValue, QueueProgress, ScoreDefinition } from '../../../src/sdk/browser.js';
import { AsyncView, Empty, ErrorNotice, useAction, useAsync } from '../components/async.js';
import { ShareBar } from '../components/chart.js';
import { count } from '../components/format.js';
import { Link } from '../router.js';
import { useClient, useRefresh } from '../session.js';
import { AddQueueItemsForm } from './queue-items.js';

type Answer =
  | { kind: 'thumbs'; values: string[] }
  | { kind: 'score'; values: string[]; min: number | null; max: number | null }
  | { kind: 'label'; values: string[] };

/** What a reviewer answers with: thumbs when the queue names no score, else its definition's kind. */
export function answerShape(queue: AnnotationQueue, definitions: ScoreDefinition[]): Answer {
  if (queue.score_name === null) return { kind: 'thumbs', values: ['up', 'down'] };
  const definition = definitions.find((entry) => entry.name === queue.score_name && entry.project_id === queue.project_id);
  if (definition?.kind === 'categorical') return { kind: 'label', values: definition.categories ?? [] };
  const min = definition?.min ?? null;
  const max = definition?.max ?? null;
  const small = min !== null && max !== null && Number.isInteger(min) && Number.isInteger(max) && max - min <= 10;
  const values = small ? Array.from({ length: max - min + 1 }, (_, index) => String(min + index)) : [];
  return { kind: 'score', values, min, max };
}

function toValue(answer: Answer, chosen: string, comment: string): FeedbackValue {
  const extra = comment.trim() ? { comment: comment.trim() } : {};
  if (answer.kind === 'thumbs') return { kind: 'thumbs', value: chosen === 'up' ? 'up' : 'down', ...extra };
  if (answer.kind === 'label') return { kind: 'label', label: chosen, ...extra };
  return { kind: 'score', value: Number(chosen), ...extra };
}

export function FeedbackQueuePage(props: { name: string }): ReactNode {
  const client = useClient();
  const [refresh, bump] = useRefresh();
  const data = useAsync(
    () => Promise.all([client.queues.get(props.name), client.feedback.scoreDefinitions(), client.queues.agreement(props.name)]),
    [client, props.name, refresh],
  );
  return (
    <section>
      <p>
        <Link to="/feedback">← Feedback</Link>
      </p>
      <AsyncView data={data} what="the queue">
        {([queue, definitions, agreement]) => (
          <>
            <h1>Queue {queue.name}</h1>
            <p className="muted">
              {queue.description ?? 'No description.'} Answers: {queue.score_name ?? 'thumbs up or down'}; {queue.required_reviews} review
              {queue.required_reviews === 1 ? '' : 's'} per item, assigned {queue.assignment.replace('_', '-')}.
            </p>
            <Review queue={queue} answer={answerShape(queue, definitions.data)} onAnswered={bump} />
            <Progress progress={queue.progress} />
            <AddQueueItemsForm queue={queue} onAdded={bump} />
            <h2>Agreement between reviewers</h2>
            {agreement.data.length === 0 ? (
              <Empty>No item has two answers yet.</Empty>
            ) : (
              <table className="agreement">
                <caption className="visually-hidden">Agreement per score</caption>
                <thead>
                  <tr>
                    <th scope="col">Score</th>
                    <th scope="col">Items compared</th>
                    <th scope="col">Agreement</th>
                    <th scope="col">Cohen's κ</th>
                    <th scope="col">Fleiss' κ</th>
                    <th scope="col">Krippendorff's α (nominal / interval)</th>
                  </tr>
                </thead>
                <tbody>
                  {agreement.data.map((entry) => (
                    <tr key={entry.name}>
                      <th scope="row">{entry.name}</th>
                      <td>{entry.items_compared}</td>
                      <td>{figure(entry.percent_agreement)}</td>
                      <td>{figure(entry.cohens_kappa)}</td>
                      <td>{figure(entry.fleiss_kappa)}</td>
                      <td>
                        {figure(entry.krippendorff_alpha_nominal)} / {figure(entry.krippendorff_alpha_interval)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </AsyncView>
    </section>
  );
}

function figure(value: number | null): string {
  return value === null ? '–' : Number(value.toFixed(3)).toString();
}

function Progress(props: { progress: QueueProgress }): ReactNode {
  const { progress } = props;
  return (
    <>
      <h2>Progress</h2>
      <p>
        <ShareBar
          value={progress.completed_items}
          max={progress.total_items}
          label={`${progress.completed_items} of ${progress.total_items} items complete`}
        />{' '}
        {count(progress.completed_items)} of {count(progress.total_items)} items complete
      </p>
      <table>
        <caption className="visually-hidden">Progress per reviewer</caption>
        <thead>
          <tr>
            <th scope="col">Reviewer</th>
            <th scope="col">Assigned</th>
            <th scope="col">Done</th>
            <th scope="col">Skipped</th>
            <th scope="col">Pending</th>
          </tr>
        </thead>
        <tbody>
          {progress.reviewers.map((entry) => (
            <tr key={entry.reviewer}>
              <th scope="row">{entry.reviewer}</th>
              <td>{entry.assigned}</td>
              <td>{entry.done}</td>
              <td>{entry.skipped}</td>
              <td>{entry.pending}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Review(props: { queue: AnnotationQueue; answer: Answer; onAnswered(): void }): ReactNode {
  const client = useClient();
  const [reviewer, setReviewer] = useState(props.queue.reviewers[0] ?? '');
  const [turn, nextTurn] = useRefresh();
  // Items added to the queue (it may have been empty) bring the reviewer a next item too.
  const item = useAsync(
    () => client.queues.next(props.queue.name, reviewer),
    [client, props.queue.name, reviewer, turn, props.queue.item_count],
  );
  return (
    <div className="card" role="region" aria-labelledby="review-heading">
      <h2 id="review-heading">Review</h2>
      <label htmlFor="reviewer">Reviewer</label>
      <select id="reviewer" value={reviewer} onChange={(event) => setReviewer(event.target.value)}>
        {props.queue.reviewers.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <AsyncView data={item} what="the next item">
        {(value) =>
          value.item === null ? (
            <Empty>Nothing left for {reviewer} in this queue.</Empty>
          ) : (
            <ItemForm
              key={`${value.item.id}/${reviewer}`}
              queue={props.queue}
              item={value.item}
              reviewer={reviewer}
              answer={props.answer}
              onDone={() => {
                nextTurn();
                props.onAnswered();
              }}
            />
          )
        }
      </AsyncView>
    </div>
  );
}

function ItemForm(props: { queue: AnnotationQueue; item: AnnotationItem; reviewer: string; answer: Answer; onDone(): void }): ReactNode {
  const client = useClient();
  const { item, answer, reviewer } = props;
  const [chosen, setChosen] = useState('');
  const [comment, setComment] = useState('');
  const action = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void action
      .run(() => client.queues.submit(props.queue.name, item.id, { reviewer, ...toValue(answer, chosen, comment) }))
      .then((result) => result && props.onDone());
  };
  const skip = (): void => {
    void action.run(() => client.queues.skip(props.queue.name, item.id, reviewer)).then((result) => result && props.onDone());
  };
  const label = answer.kind === 'thumbs' ? 'Thumbs' : (props.queue.score_name ?? 'Score');
  return (
    <form onSubmit={submit} aria-label={`Item ${item.position + 1}`}>
      <p className="muted">
        Item {item.position + 1} ·{' '}
        {item.source_kind === 'trace' ? <Link to={`/traces/${encodeURIComponent(item.source_id)}`}>{item.source_id}</Link> : item.source_id}
      </p>
      <h3>Input</h3>
      <pre className="review-input">{item.input_text}</pre>
      <h3>Output</h3>
      <pre className="answer review-output">{item.output_text ?? '(none)'}</pre>
      <AnswerControls answer={answer} label={label} chosen={chosen} onChoose={setChosen} />
      <label htmlFor="answer-comment">Comment (optional)</label>
      <textarea id="answer-comment" rows={2} value={comment} onChange={(event) => setComment(event.target.value)} />
      <div className="inline">
        <button type="submit" disabled={action.pending || chosen === ''}>
          Submit answer
        </button>
        <button type="button" className="secondary" onClick={skip} disabled={action.pending}>
          Skip
        </button>
      </div>
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}

/** Radios for a short scale, categories or thumbs; a number field for an open or long range. */
function AnswerControls(props: { answer: Answer; label: string; chosen: string; onChoose(value: string): void }): ReactNode {
  return (
    <>
      {props.answer.values.length > 0 ? (
        <fieldset className="choices">
          <legend>
            {props.label}
            {props.answer.kind === 'score' && props.answer.min !== null && props.answer.max !== null
              ? ` (${props.answer.min}–${props.answer.max})`
              : ''}
          </legend>
          {props.answer.values.map((option) => (
            <label key={option} className="checkbox">
              <input
                type="radio"
                name="answer"
                value={option}
                checked={props.chosen === option}
                onChange={() => props.onChoose(option)}
                required
              />
              {props.answer.kind === 'thumbs' ? (option === 'up' ? '👍 Thumbs up' : '👎 Thumbs down') : option}
            </label>
          ))}
        </fieldset>
      ) : (
        <>
          <label htmlFor="answer-score">{props.label}</label>
          <input
            id="answer-score"
            type="number"
            step="any"
            required
            value={props.chosen}
            onChange={(event) => props.onChoose(event.target.value)}
            {...(props.answer.kind === 'score' && props.answer.min !== null ? { min: props.answer.min } : {})}
            {...(props.answer.kind === 'score' && props.answer.max !== null ? { max: props.answer.max } : {})}
          />
        </>
      )}
    </>
  );
}
