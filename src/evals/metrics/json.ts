/** `json_valid` (the prediction parses as JSON) and `json_schema` (it also conforms to `schema`). */
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { FenerError } from '../../core/index.js';
import type { MetricDefinition } from './types.js';
import { invalidOption } from './options.js';
import { mean } from './aggregate.js';

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

export const jsonValid: MetricDefinition = {
  name: 'json_valid',
  options: [],
  referencesOptional: true,
  compute(predictions) {
    const items = predictions.map((prediction) => ({ json_valid: parseJson(prediction).ok ? 1 : 0 }));
    return { metric: 'json_valid', corpus: { json_valid: mean(items.map((item) => item.json_valid)) }, items };
  },
};

/** Draft 2020-12 when the schema says so, else draft-07 (Ajv's default). */
function compileSchema(schema: unknown): ValidateFunction {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw invalidOption('schema', 'must be a JSON Schema object');
  }
  const declared = (schema as { $schema?: unknown }).$schema;
  const ajv =
    typeof declared === 'string' && declared.includes('2020-12') ? new Ajv2020({ allErrors: false }) : new Ajv({ allErrors: false });
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new FenerError('invalid_request', `options.schema is not a valid JSON Schema: ${(error as Error).message}`, {
      param: 'options.schema',
    });
  }
}

export const jsonSchema: MetricDefinition = {
  name: 'json_schema',
  options: ['schema'],
  referencesOptional: true,
  compute(predictions, _references, options) {
    if (options.schema === undefined) throw invalidOption('schema', 'is required for the json_schema metric');
    const validate = compileSchema(options.schema);
    const items = predictions.map((prediction) => {
      const parsed = parseJson(prediction);
      return { json_valid: parsed.ok ? 1 : 0, json_schema: parsed.ok && validate(parsed.value) ? 1 : 0 };
    });
    return {
      metric: 'json_schema',
      corpus: { json_schema: mean(items.map((item) => item.json_schema)), json_valid: mean(items.map((item) => item.json_valid)) },
      items,
    };
  },
};
