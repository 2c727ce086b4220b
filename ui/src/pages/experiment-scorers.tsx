/**
 * How a new run scores its outputs: the metrics the server offers (with the options each one
 * accepts, typed as `--option key=value` takes them) and LLM judges (a model, a rubric and the JSON
 * Schema of its verdict). The server checks names, options and models, and names what it refuses.
 */
import type { ReactNode } from 'react';
import type { JudgeInput, MetricInfo, MetricSpecInput } from '../../../src/sdk/browser.js';
import { optionalJsonObject, optionalNumber, optionValue } from '../components/inputs.js';

/** Chosen metrics → their option fields as typed ('' = the metric's default). */
export type MetricChoice = Record<string, Record<string, string>>;

/** In the catalogue's order; a metric with no option set is named alone. */
export function metricDefinitions(catalogue: MetricInfo[], chosen: MetricChoice): MetricSpecInput[] {
  return catalogue.flatMap((metric) => {
    const fields = chosen[metric.name];
    if (fields === undefined) return [];
    const options = Object.fromEntries(
      Object.entries(fields)
        .filter(([, text]) => text.trim() !== '')
        .map(([option, text]) => [option, optionValue(text.trim())]),
    );
    return [Object.keys(options).length === 0 ? metric.name : { metric: metric.name, options }];
  });
}

export function MetricFields(props: { catalogue: MetricInfo[]; chosen: MetricChoice; onChange(chosen: MetricChoice): void }): ReactNode {
  const { chosen, onChange } = props;
  const offered = props.catalogue.filter((metric) => metric.experiments);
  const toggle = (name: string, on: boolean): void => {
    const next = { ...chosen };
    if (on) next[name] = {};
    else delete next[name];
    onChange(next);
  };
  const optionFields = offered.flatMap((metric) => {
    const fields = chosen[metric.name];
    return fields === undefined ? [] : metric.options.map((option) => ({ metric: metric.name, option, fields }));
  });
  return (
    <>
      <fieldset className="choices">
        <legend>Metrics</legend>
        {offered.map((metric) => (
          <label key={metric.name} className="checkbox">
            <input
              type="checkbox"
              checked={chosen[metric.name] !== undefined}
              onChange={(event) => toggle(metric.name, event.target.checked)}
            />{' '}
            {metric.name}
          </label>
        ))}
      </fieldset>
      {optionFields.length > 0 ? (
        <>
          <p className="muted">
            Options of the chosen metrics: a number, true or false, a JSON list or object, or text; empty for the default.
          </p>
          <div className="grid">
            {optionFields.map(({ metric, option, fields }) => {
              const id = `metric-${metric}-${option}`;
              return (
                <div key={id}>
                  <label htmlFor={id}>
                    {metric}: {option}
                  </label>
                  <input
                    id={id}
                    value={fields[option] ?? ''}
                    onChange={(event) => onChange({ ...chosen, [metric]: { ...fields, [option]: event.target.value } })}
                    placeholder="default"
                  />
                </div>
              );
            })}
          </div>
        </>
      ) : null}
    </>
  );
}

export interface JudgeDraft {
  name: string;
  model: string;
  rubric: string;
  /** JSON Schema of the verdict, as text. */
  schema: string;
  scoreField: string;
  repeats: string;
  temperature: string;
}

const defaultRubric = `Rate from 1 to 5 how well the answer answers the question; 5 is as good as the reference.

Question:
{{input}}

Answer:
{{output}}

Reference:
{{expected}}`;

const defaultSchema = JSON.stringify(
  { type: 'object', properties: { score: { type: 'integer', minimum: 1, maximum: 5 } }, required: ['score'] },
  null,
  2,
);

export function blankJudge(model: string, position: number): JudgeDraft {
  return {
    name: position === 1 ? 'quality' : `judge-${position}`,
    model,
    rubric: defaultRubric,
    schema: defaultSchema,
    scoreField: 'score',
    repeats: '1',
    temperature: '0',
  };
}

export function judgeDefinition(draft: JudgeDraft, position: number): JudgeInput {
  const temperature = optionalNumber(draft.temperature);
  const repeats = optionalNumber(draft.repeats);
  return {
    name: draft.name.trim(),
    model: draft.model.trim(),
    rubric: draft.rubric,
    schema: optionalJsonObject(draft.schema, `Judge ${position} verdict schema`) ?? {},
    ...(draft.scoreField.trim() ? { score_field: draft.scoreField.trim() } : {}),
    ...(repeats === undefined ? {} : { repeats }),
    parameters: temperature === undefined ? {} : { temperature },
  };
}

export function JudgeFields(props: {
  index: number;
  draft: JudgeDraft;
  modelList: string;
  onChange(patch: Partial<JudgeDraft>): void;
  onRemove(): void;
}): ReactNode {
  const { index, draft, onChange } = props;
  const id = (field: string): string => `judge-${index}-${field}`;
  return (
    <fieldset className="variant">
      <legend>Judge {index + 1}</legend>
      <div className="grid">
        <div>
          <label htmlFor={id('name')}>Judge name (its score is judge.NAME)</label>
          <input id={id('name')} value={draft.name} onChange={(event) => onChange({ name: event.target.value })} required />
        </div>
        <div>
          <label htmlFor={id('model')}>Judge model</label>
          <input
            id={id('model')}
            list={props.modelList}
            value={draft.model}
            onChange={(event) => onChange({ model: event.target.value })}
            required
          />
        </div>
        <div>
          <label htmlFor={id('score-field')}>Score field of the verdict</label>
          <input id={id('score-field')} value={draft.scoreField} onChange={(event) => onChange({ scoreField: event.target.value })} />
        </div>
        <div>
          <label htmlFor={id('repeats')}>Runs per item</label>
          <input
            id={id('repeats')}
            type="number"
            min={1}
            max={20}
            value={draft.repeats}
            onChange={(event) => onChange({ repeats: event.target.value })}
          />
        </div>
        <div>
          <label htmlFor={id('temperature')}>Judge temperature</label>
          <input
            id={id('temperature')}
            inputMode="decimal"
            value={draft.temperature}
            onChange={(event) => onChange({ temperature: event.target.value })}
            placeholder="model default"
          />
        </div>
      </div>
      <label htmlFor={id('rubric')}>
        Rubric ({'{{input}}'}, {'{{output}}'} and {'{{expected}}'} are replaced per item)
      </label>
      <textarea id={id('rubric')} rows={8} value={draft.rubric} onChange={(event) => onChange({ rubric: event.target.value })} required />
      <label htmlFor={id('schema')}>Verdict JSON Schema</label>
      <textarea id={id('schema')} rows={6} value={draft.schema} onChange={(event) => onChange({ schema: event.target.value })} required />
      <button type="button" className="secondary" onClick={props.onRemove}>
        Remove judge {index + 1}
      </button>
    </fieldset>
  );
}
