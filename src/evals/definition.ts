/**
 * Reading an experiment definition (its schema lives in core, see core/experiment.ts): parsed so
 * that a bad field fails before any model is called, with its path in the message, and its
 * variants named.
 */
import { experimentSchema, FenerError, type ExperimentDefinition, type VariantParameters } from '../core/index.js';

export { experimentSchema, judgeSchema, metricSpecSchema, variantParametersSchema as parametersSchema } from '../core/index.js';
export type { ExperimentDefinition, ExperimentInput, JudgeDefinition, MetricSpec, VariantParameters } from '../core/index.js';

export interface ResolvedVariant {
  name: string;
  model: string;
  parameters: VariantParameters;
  variables: Record<string, unknown> | undefined;
}

/** Names each variant (unique) and turns `prompt: NAME@REF` into the `prompt:` model name. */
export function resolveVariants(definition: ExperimentDefinition): ResolvedVariant[] {
  const seen = new Set<string>();
  return definition.variants.map((variant, index) => {
    const model = variant.model ?? `prompt:${variant.prompt ?? ''}`;
    const derived = (variant.prompt ?? variant.model ?? '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+/, '');
    const variantName = variant.name ?? (derived === '' ? `variant-${index + 1}` : derived.slice(0, 100));
    if (seen.has(variantName)) {
      throw new FenerError('invalid_request', `variants[${index}]: the name "${variantName}" is used twice; give each variant a name`, {
        param: `variants.${index}.name`,
      });
    }
    seen.add(variantName);
    return { name: variantName, model, parameters: variant.parameters, variables: variant.variables };
  });
}

/** Parses a definition or throws `invalid_request` naming the field, e.g. `variants.0: give exactly one of model or prompt`. */
export function parseExperiment(input: unknown): ExperimentDefinition {
  const result = experimentSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  throw new FenerError('invalid_request', `${path === '' ? 'experiment' : path}: ${issue?.message ?? 'invalid'}`, { param: path });
}
