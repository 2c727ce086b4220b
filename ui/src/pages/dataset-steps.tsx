/**
 * Preparation steps picked from a list instead of written as YAML: each step's fields start at
 * the server's defaults, and the steps run in order, each recording a new version. What a field
 * holds goes to the API as typed (a non-number reaches it as null, and its answer names the field).
 */
import { useState, type ReactNode } from 'react';
import type { PiiEntityType, PreparationStep } from '../../../src/sdk/browser.js';
import { listOf, optionalNumber } from '../components/inputs.js';

type StepKind = Exclude<PreparationStep['step'], 'split'>;

interface FieldSpec {
  key: string;
  label: string;
  initial: string;
  /** A select's choices; a checkbox holds 'true' or 'false'. */
  options?: readonly string[];
  checkbox?: true;
  placeholder?: string;
}

const stepFields: Record<StepKind, { title: string; fields: FieldSpec[] }> = {
  dedupe: {
    title: 'Drop exact duplicates (the first is kept)',
    fields: [{ key: 'scope', label: 'Duplicates when equal in', initial: 'input+output', options: ['input+output', 'input'] }],
  },
  near_dedupe: {
    title: 'Drop near-duplicates (MinHash)',
    fields: [
      { key: 'shingle', label: 'Shingles of', initial: 'word', options: ['word', 'char'] },
      { key: 'size', label: 'Shingle size', initial: '3' },
      { key: 'bands', label: 'Bands', initial: '8' },
      { key: 'rows', label: 'Rows per band', initial: '8' },
      { key: 'seed', label: 'Seed', initial: '1' },
    ],
  },
  normalize: {
    title: 'Normalise text',
    fields: [
      { key: 'form', label: 'Unicode form', initial: 'NFKC', options: ['NFKC', 'NFC'] },
      { key: 'whitespace', label: 'Collapse whitespace', initial: 'true', checkbox: true },
    ],
  },
  length: {
    title: 'Keep items within length bounds',
    fields: [
      { key: 'field', label: 'Measure', initial: 'all', options: ['all', 'input', 'expected'] },
      { key: 'min_chars', label: 'At least (characters)', initial: '', placeholder: 'no bound' },
      { key: 'max_chars', label: 'At most (characters)', initial: '', placeholder: 'no bound' },
      { key: 'min_tokens', label: 'At least (tokens)', initial: '', placeholder: 'no bound' },
      { key: 'max_tokens', label: 'At most (tokens)', initial: '', placeholder: 'no bound' },
    ],
  },
  language: {
    title: 'Keep items in some languages',
    fields: [
      { key: 'allow', label: 'Languages (ISO 639-3, comma-separated)', initial: 'eng' },
      { key: 'min_length', label: 'Shorter texts are undetermined (characters)', initial: '20' },
      { key: 'keep_undetermined', label: 'Keep undetermined items', initial: 'true', checkbox: true },
    ],
  },
  pii: {
    title: 'Redact personal data',
    fields: [
      { key: 'mode', label: 'Replace with', initial: 'mask', options: ['mask', 'hash', 'remove'] },
      { key: 'types', label: 'Only these types (comma-separated)', initial: '', placeholder: 'all types' },
      { key: 'salt', label: 'Salt (for hash)', initial: '' },
    ],
  },
  template: {
    title: "Render a stored prompt with each item's variables",
    fields: [
      { key: 'prompt', label: 'Prompt', initial: '' },
      { key: 'label', label: 'Label', initial: '', placeholder: 'latest version' },
      { key: 'on_error', label: 'When variables do not fit', initial: 'fail', options: ['fail', 'drop'] },
    ],
  },
};

const stepKinds = Object.keys(stepFields) as StepKind[];

export interface StepDraft {
  kind: StepKind;
  values: Record<string, string>;
}

export function newStepDraft(kind: StepKind): StepDraft {
  return { kind, values: Object.fromEntries(stepFields[kind].fields.map((field) => [field.key, field.initial])) };
}

/** Absent when empty, so the server's default (or "no bound") applies. */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

export function stepInput(draft: StepDraft): PreparationStep {
  const value = (key: string): string => draft.values[key] ?? '';
  const number = <K extends string>(key: K): Partial<Record<K, number>> => optional(key, optionalNumber(value(key)));
  const text = <K extends string>(key: K): Partial<Record<K, string>> => optional(key, value(key).trim() || undefined);
  switch (draft.kind) {
    case 'dedupe':
      return { step: 'dedupe', scope: value('scope') as 'input' | 'input+output' };
    case 'near_dedupe':
      return {
        step: 'near_dedupe',
        shingle: value('shingle') as 'word' | 'char',
        ...number('size'),
        ...number('bands'),
        ...number('rows'),
        ...number('seed'),
      };
    case 'normalize':
      return { step: 'normalize', form: value('form') as 'NFC' | 'NFKC', whitespace: value('whitespace') === 'true' };
    case 'length':
      return {
        step: 'length',
        field: value('field') as 'all' | 'input' | 'expected',
        ...number('min_chars'),
        ...number('max_chars'),
        ...number('min_tokens'),
        ...number('max_tokens'),
      };
    case 'language':
      return {
        step: 'language',
        allow: listOf(value('allow')),
        ...number('min_length'),
        keep_undetermined: value('keep_undetermined') === 'true',
      };
    case 'pii': {
      const types = listOf(value('types')) as PiiEntityType[];
      return { step: 'pii', mode: value('mode') as 'mask' | 'hash' | 'remove', ...(types.length > 0 ? { types } : {}), ...text('salt') };
    }
    case 'template':
      return { step: 'template', prompt: value('prompt').trim(), ...text('label'), on_error: value('on_error') as 'fail' | 'drop' };
  }
}

function StepField(props: { id: string; field: FieldSpec; value: string; onChange(value: string): void }): ReactNode {
  const { field, id } = props;
  if (field.checkbox) {
    return (
      <label className="checkbox">
        <input
          id={id}
          type="checkbox"
          checked={props.value === 'true'}
          onChange={(event) => props.onChange(String(event.target.checked))}
        />{' '}
        {field.label}
      </label>
    );
  }
  return (
    <div>
      <label htmlFor={id}>{field.label}</label>
      {field.options ? (
        <select id={id} value={props.value} onChange={(event) => props.onChange(event.target.value)}>
          {field.options.map((option) => (
            <option key={option}>{option}</option>
          ))}
        </select>
      ) : (
        <input id={id} value={props.value} placeholder={field.placeholder} onChange={(event) => props.onChange(event.target.value)} />
      )}
    </div>
  );
}

/** The list of steps being built, each a fieldset named "Step N: kind", removable, and a picker to add one. */
export function StepList(props: { steps: StepDraft[]; onChange(steps: StepDraft[]): void }): ReactNode {
  const { steps, onChange } = props;
  const [next, setNext] = useState<StepKind>('dedupe');
  const set = (index: number, key: string, value: string): void =>
    onChange(steps.map((step, at) => (at === index ? { ...step, values: { ...step.values, [key]: value } } : step)));
  return (
    <>
      {steps.map((step, index) => (
        <fieldset key={index}>
          <legend>
            Step {index + 1}: {step.kind}
          </legend>
          <p className="muted">{stepFields[step.kind].title}</p>
          <div className="grid">
            {stepFields[step.kind].fields.map((field) => (
              <StepField
                key={field.key}
                id={`prepare-step-${index}-${field.key}`}
                field={field}
                value={step.values[field.key] ?? ''}
                onChange={(value) => set(index, field.key, value)}
              />
            ))}
          </div>
          <button type="button" className="secondary" onClick={() => onChange(steps.filter((_, at) => at !== index))}>
            Remove step {index + 1}
          </button>
        </fieldset>
      ))}
      <div className="inline">
        <label htmlFor="prepare-step-kind">Step to add</label>
        <select id="prepare-step-kind" value={next} onChange={(event) => setNext(event.target.value as StepKind)}>
          {stepKinds.map((kind) => (
            <option key={kind} value={kind}>
              {kind}: {stepFields[kind].title}
            </option>
          ))}
        </select>
        <button type="button" className="secondary" onClick={() => onChange([...steps, newStepDraft(next)])}>
          Add step
        </button>
      </div>
    </>
  );
}
