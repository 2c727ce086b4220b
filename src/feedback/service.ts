/**
 * Feedback's rules on top of the store: feedback is about a trace the caller may see (a project
 * key sees only its project's traces, and an unknown or foreign trace is the same 404), and a
 * score or label must fit the project's score definition of that name.
 */
import { FenerError } from '../core/index.js';
import type { Feedback, FeedbackInput, ScoreDefinition, Store, Trace } from '../store/index.js';
import type { FeedbackValue } from './schemas.js';

/** Who is asking: the key id, and its project (null for the admin key, which sees every project). */
export interface FeedbackScope {
  actor: string;
  projectId: string | null;
}

/** The parts of a feedback row that the value decides. */
type ResolvedValue = Pick<FeedbackInput, 'kind' | 'name' | 'value' | 'label' | 'correction' | 'preference' | 'comment' | 'author'>;

export class FeedbackService {
  constructor(private readonly store: Store) {}

  /** The trace, if it exists and the caller may see it; otherwise 404 (never saying which). */
  async visibleTrace(traceId: string, scope: FeedbackScope, param = 'trace_id'): Promise<Trace> {
    const trace = await this.store.traces.get(traceId);
    if (!trace || (scope.projectId !== null && trace.project_id !== scope.projectId)) {
      throw new FenerError('not_found', `no trace with id "${traceId}"`, { param });
    }
    return trace;
  }

  async record(input: FeedbackValue & { trace_id: string }, scope: FeedbackScope): Promise<Feedback> {
    const trace = await this.visibleTrace(input.trace_id, scope);
    const value = await this.resolve(input, { projectId: trace.project_id, scope });
    return this.store.feedback.insert({
      ...value,
      project_id: trace.project_id,
      trace_id: trace.id,
      dataset_item_id: null,
      queue_item_id: null,
      principal: scope.actor,
    });
  }

  /**
   * Checks a value against the project's definitions and turns it into row fields. `defaultName`
   * is the queue's score name, used when a score or label names none.
   */
  async resolve(
    input: FeedbackValue,
    options: { projectId: string; scope: FeedbackScope; defaultName?: string | null },
  ): Promise<ResolvedValue> {
    const base = {
      comment: input.comment ?? null,
      author: input.author ?? null,
      value: null,
      label: null,
      correction: null,
      preference: null,
    };
    switch (input.kind) {
      case 'thumbs':
        return { ...base, kind: 'thumbs', name: input.name, value: input.value === 'up' ? 1 : 0, label: input.value };
      case 'correction':
        return { ...base, kind: 'correction', name: input.name, correction: input.correction };
      case 'score': {
        const definition = await this.definition(options.projectId, input.name ?? options.defaultName, 'numeric');
        checkRange(definition, input.value);
        return { ...base, kind: 'score', name: definition.name, value: input.value };
      }
      case 'label': {
        const definition = await this.definition(options.projectId, input.name ?? options.defaultName, 'categorical');
        if (!definition.categories?.includes(input.label)) {
          throw new FenerError(
            'invalid_request',
            `label: "${input.label}" is not one of ${definition.name}'s categories (${(definition.categories ?? []).join(', ')})`,
            {
              param: 'label',
            },
          );
        }
        return { ...base, kind: 'label', name: definition.name, label: input.label };
      }
      case 'preference': {
        const sides = { a: input.a, b: input.b };
        for (const [key, side] of Object.entries(sides)) {
          if (side.trace_id === undefined) continue;
          const other = await this.visibleTrace(side.trace_id, options.scope, `${key}.trace_id`);
          if (other.project_id !== options.projectId)
            throw new FenerError('not_found', `no trace with id "${side.trace_id}"`, { param: `${key}.trace_id` });
        }
        const view = (side: {
          trace_id?: string | undefined;
          text?: string | undefined;
        }): { trace_id: string | null; text: string | null } => ({
          trace_id: side.trace_id ?? null,
          text: side.text ?? null,
        });
        const [chosen, rejected] = input.chosen === 'a' ? [input.a, input.b] : [input.b, input.a];
        return { ...base, kind: 'preference', name: input.name, preference: { chosen: view(chosen), rejected: view(rejected) } };
      }
    }
  }

  private async definition(projectId: string, name: string | null | undefined, kind: ScoreDefinition['kind']): Promise<ScoreDefinition> {
    if (name === undefined || name === null)
      throw new FenerError('invalid_request', 'name: a score or label needs the name of a score definition', { param: 'name' });
    const definition = await this.store.feedback.getScore(projectId, name);
    if (!definition) throw new FenerError('invalid_request', `name: the project has no score definition "${name}"`, { param: 'name' });
    if (definition.kind !== kind) {
      const wanted = definition.kind === 'numeric' ? 'score' : 'label';
      throw new FenerError('invalid_request', `kind: "${name}" is a ${definition.kind} score; send kind "${wanted}"`, { param: 'kind' });
    }
    return definition;
  }
}

function checkRange(definition: ScoreDefinition, value: number): void {
  const { min, max } = definition;
  if ((min !== null && value < min) || (max !== null && value > max)) {
    const range = `${min ?? '−∞'}–${max ?? '∞'}`;
    throw new FenerError('invalid_request', `value: ${value} is outside ${definition.name}'s range ${range}`, { param: 'value' });
  }
}
