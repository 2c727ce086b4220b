/**
 * Setting up review work (admin key): score definitions (a numeric range or categories) and new
 * annotation queues; traces go into a queue through queue-items.tsx. What the API refuses is shown
 * beside the form, and what was typed stays.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { AnnotationQueue, CreateQueueInput, Project, ScoreDefinition, ScoreDefinitionInput } from '../../../src/sdk/browser.js';
import { Empty, ErrorNotice, useAction } from '../components/async.js';
import { listOf, optionalNumber } from '../components/inputs.js';
import { useClient } from '../session.js';

function describeDefinition(definition: ScoreDefinition): string {
  if (definition.kind === 'categorical') return (definition.categories ?? []).join(' / ');
  if (definition.min === null && definition.max === null) return 'any number';
  return `${definition.min ?? '−∞'} to ${definition.max ?? '∞'}`;
}

export function ScoreDefinitionsTable(props: { definitions: ScoreDefinition[]; projects: Project[] }): ReactNode {
  const projectName = (id: string): string => props.projects.find((project) => project.id === id)?.name ?? id;
  if (props.definitions.length === 0) return <Empty>No score definitions yet: define one below.</Empty>;
  return (
    <table>
      <caption className="visually-hidden">Score definitions</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Project</th>
          <th scope="col">Kind</th>
          <th scope="col">Values</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {props.definitions.map((definition) => (
          <tr key={`${definition.project_id}/${definition.name}`}>
            <th scope="row">{definition.name}</th>
            <td>{projectName(definition.project_id)}</td>
            <td>{definition.kind}</td>
            <td>{describeDefinition(definition)}</td>
            <td>{definition.description ?? '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ProjectSelect(props: { id: string; projects: Project[]; value: string; onChange(name: string): void }): ReactNode {
  return (
    <div>
      <label htmlFor={props.id}>Project</label>
      <select id={props.id} value={props.value} onChange={(event) => props.onChange(event.target.value)}>
        {props.projects.map((project) => (
          <option key={project.id}>{project.name}</option>
        ))}
      </select>
    </div>
  );
}

/**
 * Saving a name the project already has replaces that definition (the API's PUT), so the form says
 * so before it happens; after a save it is emptied for the next one.
 */
export function DefineScoreForm(props: { projects: Project[]; definitions: ScoreDefinition[]; onSaved(): void }): ReactNode {
  const client = useClient();
  const [name, setName] = useState('');
  const [project, setProject] = useState(props.projects[0]?.name ?? 'default');
  const [kind, setKind] = useState<'numeric' | 'categorical'>('numeric');
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const [categories, setCategories] = useState('');
  const [description, setDescription] = useState('');
  const [saved, setSaved] = useState<string | undefined>();
  const action = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setSaved(undefined);
    const common = { project, ...(description.trim() ? { description: description.trim() } : {}) };
    const lower = optionalNumber(min);
    const upper = optionalNumber(max);
    const input: ScoreDefinitionInput =
      kind === 'numeric'
        ? { ...common, kind, ...(lower === undefined ? {} : { min: lower }), ...(upper === undefined ? {} : { max: upper }) }
        : { ...common, kind, categories: listOf(categories) };
    void action
      .run(() => client.feedback.defineScore(name.trim(), input))
      .then((definition) => {
        if (!definition) return;
        setSaved(`${definition.created ? 'Defined' : 'Replaced'} score “${definition.name}”.`);
        for (const clear of [setName, setMin, setMax, setCategories, setDescription]) clear('');
        props.onSaved();
      });
  };
  const projectId = props.projects.find((entry) => entry.name === project)?.id;
  const existing = props.definitions.find((entry) => entry.project_id === projectId && entry.name === name.trim());
  return (
    <form className="card" onSubmit={submit} aria-labelledby="define-score">
      <h2 id="define-score">Define a score</h2>
      <div className="grid">
        <div>
          <label htmlFor="score-name">Name</label>
          <input
            id="score-name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            required
            {...(existing ? { 'aria-describedby': 'score-replaces' } : {})}
          />
          {existing ? (
            <p id="score-replaces" className="muted">
              {project} already has “{existing.name}” ({existing.kind}: {describeDefinition(existing)}): saving replaces it. Feedback
              already given keeps its values.
            </p>
          ) : null}
        </div>
        <ProjectSelect id="score-project" projects={props.projects} value={project} onChange={setProject} />
        <div>
          <label htmlFor="score-kind">Kind</label>
          <select id="score-kind" value={kind} onChange={(event) => setKind(event.target.value as 'numeric' | 'categorical')}>
            <option value="numeric">numeric (a number in a range)</option>
            <option value="categorical">categorical (one of a list)</option>
          </select>
        </div>
        {kind === 'numeric' ? (
          <>
            <div>
              <label htmlFor="score-min">Lowest value</label>
              <input id="score-min" inputMode="decimal" value={min} onChange={(event) => setMin(event.target.value)} placeholder="none" />
            </div>
            <div>
              <label htmlFor="score-max">Highest value</label>
              <input id="score-max" inputMode="decimal" value={max} onChange={(event) => setMax(event.target.value)} placeholder="none" />
            </div>
          </>
        ) : (
          <div>
            <label htmlFor="score-categories">Categories (comma-separated)</label>
            <input id="score-categories" value={categories} onChange={(event) => setCategories(event.target.value)} />
          </div>
        )}
        <div>
          <label htmlFor="score-description">Description</label>
          <input id="score-description" value={description} onChange={(event) => setDescription(event.target.value)} />
        </div>
      </div>
      <button type="submit" disabled={action.pending}>
        {existing ? 'Replace definition' : 'Save definition'}
      </button>
      {saved ? <p role="status">{saved}</p> : null}
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}

export function CreateQueueForm(props: {
  projects: Project[];
  definitions: ScoreDefinition[];
  onCreated(queue: AnnotationQueue): void;
}): ReactNode {
  const client = useClient();
  const [name, setName] = useState('');
  const [project, setProject] = useState(props.projects[0]?.name ?? 'default');
  const [reviewers, setReviewers] = useState('');
  const [assignment, setAssignment] = useState<'round_robin' | 'explicit'>('round_robin');
  const [reviews, setReviews] = useState('1');
  const [score, setScore] = useState('');
  const [description, setDescription] = useState('');
  const action = useAction();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const input: CreateQueueInput = {
      name: name.trim(),
      project,
      reviewers: listOf(reviewers),
      assignment,
      required_reviews_per_item: Number(reviews),
      ...(score === '' ? {} : { score_name: score }),
      ...(description.trim() ? { description: description.trim() } : {}),
    };
    void action
      .run(() => client.queues.create(input))
      .then((queue) => {
        if (!queue) return;
        setName('');
        props.onCreated(queue);
      });
  };
  // A queue answers with a definition of its own project.
  const projectId = props.projects.find((entry) => entry.name === project)?.id;
  const scores = props.definitions.filter((entry) => entry.project_id === projectId).map((entry) => entry.name);
  return (
    <form className="card" onSubmit={submit} aria-labelledby="create-queue">
      <h2 id="create-queue">Create a queue</h2>
      <div className="grid">
        <div>
          <label htmlFor="queue-name">Name</label>
          <input id="queue-name" value={name} onChange={(event) => setName(event.target.value)} required />
        </div>
        <ProjectSelect
          id="queue-project"
          projects={props.projects}
          value={project}
          onChange={(name) => {
            setProject(name);
            setScore('');
          }}
        />
        <div>
          <label htmlFor="queue-reviewers">Reviewers (comma-separated)</label>
          <input id="queue-reviewers" value={reviewers} onChange={(event) => setReviewers(event.target.value)} required />
        </div>
        <div>
          <label htmlFor="queue-assignment">Assignment</label>
          <select
            id="queue-assignment"
            value={assignment}
            onChange={(event) => setAssignment(event.target.value as 'round_robin' | 'explicit')}
          >
            <option value="round_robin">round-robin (items dealt in turn)</option>
            <option value="explicit">explicit (each item names its reviewers)</option>
          </select>
        </div>
        <div>
          <label htmlFor="queue-reviews">Reviews per item</label>
          <input id="queue-reviews" type="number" min={1} max={100} value={reviews} onChange={(event) => setReviews(event.target.value)} />
        </div>
        <div>
          <label htmlFor="queue-score">Answer with</label>
          <select id="queue-score" value={score} onChange={(event) => setScore(event.target.value)}>
            <option value="">any feedback (thumbs by default)</option>
            {scores.map((entry) => (
              <option key={entry} value={entry}>
                score “{entry}”
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="queue-description">Description</label>
          <input id="queue-description" value={description} onChange={(event) => setDescription(event.target.value)} />
        </div>
      </div>
      <button type="submit" disabled={action.pending}>
        Create queue
      </button>
      {action.error ? <ErrorNotice error={action.error} /> : null}
    </form>
  );
}
