/**
 * Feedback: the annotation queues, what the feedback so far says per score, and (admin key) the
 * score definitions and new queues.
 */
import type { ReactNode } from 'react';
import { AsyncView, Empty, useAsync } from '../components/async.js';
import { ShareBar } from '../components/chart.js';
import { count, dateTime } from '../components/format.js';
import { Link } from '../router.js';
import { useClient, useRefresh } from '../session.js';
import { CreateQueueForm, DefineScoreForm, ScoreDefinitionsTable } from './feedback-setup.js';

export function queuePath(name: string): string {
  return `/feedback/queues/${encodeURIComponent(name)}`;
}

export function FeedbackPage(): ReactNode {
  const client = useClient();
  const [refresh, bump] = useRefresh();
  const queues = useAsync(() => client.queues.list(), [client, refresh]);
  const setup = useAsync(() => Promise.all([client.projects.list(), client.feedback.scoreDefinitions()]), [client, refresh]);
  return (
    <section>
      <h1>Feedback</h1>
      <h2>Annotation queues</h2>
      <AsyncView data={queues} what="queues">
        {(value) =>
          value.data.length === 0 ? (
            <Empty>No queues yet: create one below, with `fener queues create NAME --reviewers ann,ben`, or POST /api/queues.</Empty>
          ) : (
            <table>
              <caption className="visually-hidden">Annotation queues</caption>
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  <th scope="col">Score</th>
                  <th scope="col">Reviewers</th>
                  <th scope="col">Reviews per item</th>
                  <th scope="col">Items</th>
                  <th scope="col">Created (UTC)</th>
                </tr>
              </thead>
              <tbody>
                {value.data.map((queue) => (
                  <tr key={queue.id}>
                    <th scope="row">
                      <Link to={queuePath(queue.name)}>{queue.name}</Link>
                    </th>
                    <td>{queue.score_name ?? 'any'}</td>
                    <td>{queue.reviewers.join(', ')}</td>
                    <td>{queue.required_reviews}</td>
                    <td>{count(queue.item_count)}</td>
                    <td>{dateTime(queue.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </AsyncView>
      <Summary />
      <h2>Score definitions</h2>
      <AsyncView data={setup} what="score definitions">
        {([projects, definitions]) => (
          <>
            <ScoreDefinitionsTable definitions={definitions.data} projects={projects.data} />
            <DefineScoreForm projects={projects.data} definitions={definitions.data} onSaved={bump} />
            <CreateQueueForm projects={projects.data} definitions={definitions.data} onCreated={bump} />
          </>
        )}
      </AsyncView>
    </section>
  );
}

function Summary(): ReactNode {
  const client = useClient();
  const summary = useAsync(() => client.feedback.summary(), [client]);
  return (
    <>
      <h2>Feedback so far</h2>
      <AsyncView data={summary} what="the feedback summary">
        {(value) =>
          value.data.length === 0 ? (
            <Empty>No feedback yet: give some from a trace's page, a queue, or POST /api/feedback.</Empty>
          ) : (
            <table>
              <caption className="visually-hidden">Feedback per score name</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Count</th>
                  <th scope="col">Mean (thumbs: share up)</th>
                  <th scope="col">Distribution</th>
                </tr>
              </thead>
              <tbody>
                {value.data.map((entry) => {
                  const total = Object.values(entry.distribution).reduce((sum, n) => sum + n, 0);
                  return (
                    <tr key={`${entry.kind}/${entry.name}`}>
                      <th scope="row">{entry.name}</th>
                      <td>{entry.kind}</td>
                      <td>{count(entry.count)}</td>
                      <td>{entry.mean === null ? '–' : Number(entry.mean.toFixed(3))}</td>
                      <td>
                        <ul className="distribution">
                          {Object.entries(entry.distribution).map(([bucket, n]) => (
                            <li key={bucket}>
                              <span className="bucket">{bucket}</span> <ShareBar value={n} max={total} label={`${bucket}: ${n}`} /> {n}
                            </li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      </AsyncView>
    </>
  );
}
