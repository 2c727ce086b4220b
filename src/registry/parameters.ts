/** The model parameters a deployment may set; a client's own value always wins over them. */
import { z } from 'zod';
import type { ChatRequest } from '../providers/index.js';

export const deploymentParametersSchema = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().min(0).max(1).optional(),
    max_tokens: z.number().int().positive().optional(),
    stop: z.array(z.string()).max(4).optional(),
    seed: z.number().int().optional(),
    presence_penalty: z.number().min(-2).max(2).optional(),
    frequency_penalty: z.number().min(-2).max(2).optional(),
  })
  .strict();

export type DeploymentParameters = z.infer<typeof deploymentParametersSchema>;

/** Fills the request's unset fields from the deployment's parameters. */
export function applyParameters(request: ChatRequest, parameters: Record<string, unknown>): ChatRequest {
  const parsed = deploymentParametersSchema.safeParse(parameters);
  // Stored parameters were validated when written; a row that no longer parses is ignored, not half-applied.
  if (!parsed.success) return request;
  const merged: ChatRequest = { ...request };
  for (const [field, value] of Object.entries(parsed.data) as [keyof DeploymentParameters, unknown][]) {
    if (value !== undefined && merged[field] === undefined) (merged as unknown as Record<string, unknown>)[field] = value;
  }
  return merged;
}
