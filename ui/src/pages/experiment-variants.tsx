/**
 * One variant of a new run: a gateway model (any name the gateway routes: a model, a group,
 * `deployment:NAME`, `registry:NAME@ALIAS`), or a managed prompt at a label or version (the prompt
 * names its model), with the parameters it is called with. A variant keeps both its model and its
 * prompt while the other is shown, so switching back loses nothing typed.
 */
import type { ReactNode } from 'react';
import type { PromptSummary, VariantInput, VariantParameters } from '../../../src/sdk/browser.js';
import { optionalJsonObject, optionalNumber } from '../components/inputs.js';

export interface VariantDraft {
  source: 'model' | 'prompt';
  model: string;
  prompt: string;
  /** A label of the prompt, or a version number. */
  promptRef: string;
  /** Prompt variables as a JSON object, added under each item's own. */
  variables: string;
  name: string;
  temperature: string;
  topP: string;
  maxTokens: string;
}

export function blankVariant(model: string, prompt: PromptSummary | undefined): VariantDraft {
  return {
    source: 'model',
    model,
    prompt: prompt?.name ?? '',
    promptRef: prompt ? defaultRef(prompt) : '',
    variables: '',
    name: '',
    temperature: '0',
    topP: '',
    maxTokens: '',
  };
}

/** The prompt's `production` label if it has one, else its first label, else its latest version. */
function defaultRef(prompt: PromptSummary): string {
  const labels = Object.keys(prompt.labels);
  return labels.includes('production') ? 'production' : (labels[0] ?? String(prompt.latest_version));
}

/** What the definition holds for the draft; `position` (from 1) names the variant in a local error. */
export function variantDefinition(draft: VariantDraft, position: number): VariantInput {
  const temperature = optionalNumber(draft.temperature);
  const topP = optionalNumber(draft.topP);
  const maxTokens = optionalNumber(draft.maxTokens);
  const parameters: VariantParameters = {
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { top_p: topP }),
    ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
  };
  const name = draft.name.trim() ? { name: draft.name.trim() } : {};
  if (draft.source === 'model') return { model: draft.model.trim(), ...name, parameters };
  const variables = optionalJsonObject(draft.variables, `Variant ${position} prompt variables`);
  return { prompt: `${draft.prompt}@${draft.promptRef}`, ...name, parameters, ...(variables ? { variables } : {}) };
}

export function VariantFields(props: {
  index: number;
  draft: VariantDraft;
  prompts: PromptSummary[];
  /** The id of the datalist of model names the model field suggests. */
  modelList: string;
  onChange(patch: Partial<VariantDraft>): void;
  /** Absent for the only variant: a run needs one. */
  onRemove?: () => void;
}): ReactNode {
  const { index, draft, onChange } = props;
  const id = (field: string): string => `variant-${index}-${field}`;
  const prompt = props.prompts.find((entry) => entry.name === draft.prompt);
  return (
    <fieldset className="variant">
      <legend>Variant {index + 1}</legend>
      <div className="grid">
        <div>
          <label htmlFor={id('source')}>Calls</label>
          <select
            id={id('source')}
            value={draft.source}
            onChange={(event) => onChange({ source: event.target.value === 'prompt' ? 'prompt' : 'model' })}
          >
            <option value="model">a model</option>
            <option value="prompt" disabled={props.prompts.length === 0}>
              a managed prompt{props.prompts.length === 0 ? ' (none yet)' : ''}
            </option>
          </select>
        </div>
        {draft.source === 'model' ? (
          <div>
            <label htmlFor={id('model')}>Model</label>
            <input
              id={id('model')}
              list={props.modelList}
              value={draft.model}
              onChange={(event) => onChange({ model: event.target.value })}
              required
            />
          </div>
        ) : (
          <>
            <div>
              <label htmlFor={id('prompt')}>Prompt</label>
              <select
                id={id('prompt')}
                value={draft.prompt}
                onChange={(event) => {
                  const chosen = props.prompts.find((entry) => entry.name === event.target.value);
                  onChange({ prompt: event.target.value, promptRef: chosen ? defaultRef(chosen) : '' });
                }}
              >
                {props.prompts.map((entry) => (
                  <option key={entry.name}>{entry.name}</option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor={id('prompt-ref')}>Label or version</label>
              <select id={id('prompt-ref')} value={draft.promptRef} onChange={(event) => onChange({ promptRef: event.target.value })}>
                {Object.entries(prompt?.labels ?? {}).map(([label, version]) => (
                  <option key={label} value={label}>
                    {label} (v{version})
                  </option>
                ))}
                {Array.from({ length: prompt?.latest_version ?? 0 }, (_, at) => String((prompt?.latest_version ?? 0) - at)).map(
                  (version) => (
                    <option key={version} value={version}>
                      v{version}
                    </option>
                  ),
                )}
              </select>
            </div>
          </>
        )}
        <div>
          <label htmlFor={id('name')}>Variant name</label>
          <input
            id={id('name')}
            value={draft.name}
            onChange={(event) => onChange({ name: event.target.value })}
            placeholder="from the model or prompt"
          />
        </div>
        <div>
          <label htmlFor={id('temperature')}>Temperature</label>
          <input
            id={id('temperature')}
            inputMode="decimal"
            value={draft.temperature}
            onChange={(event) => onChange({ temperature: event.target.value })}
            placeholder="model default"
          />
        </div>
        <div>
          <label htmlFor={id('top-p')}>Top p</label>
          <input
            id={id('top-p')}
            inputMode="decimal"
            value={draft.topP}
            onChange={(event) => onChange({ topP: event.target.value })}
            placeholder="model default"
          />
        </div>
        <div>
          <label htmlFor={id('max-tokens')}>Max tokens</label>
          <input
            id={id('max-tokens')}
            type="number"
            min={1}
            value={draft.maxTokens}
            onChange={(event) => onChange({ maxTokens: event.target.value })}
            placeholder="model default"
          />
        </div>
      </div>
      {draft.source === 'prompt' ? (
        <>
          <label htmlFor={id('variables')}>Prompt variables (JSON object, added under each item&apos;s own)</label>
          <textarea
            id={id('variables')}
            rows={2}
            value={draft.variables}
            onChange={(event) => onChange({ variables: event.target.value })}
            placeholder='{"tone": "formal"}'
          />
        </>
      ) : null}
      {props.onRemove ? (
        <button type="button" className="secondary" onClick={props.onRemove}>
          Remove variant {index + 1}
        </button>
      ) : null}
    </fieldset>
  );
}
