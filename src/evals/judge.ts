/**
 * LLM-as-judge: a rubric and a JSON Schema for the verdict, sent through the gateway to any
 * model with `response_format: json_schema`. A judge may run several times per item (each run
 * with its own seed); the mean is the item's score and the spread tells how steady the judge is.
 */
import { FenerError } from '../core/index.js';
import { completeWithRetries, type EvalClient } from './client.js';
import type { JudgeDefinition } from './definition.js';
import { mean, variance } from './stats/bootstrap.js';
import { hashString } from './stats/random.js';

export interface JudgeInput {
  input: string;
  output: string;
  expected: string;
}

export interface JudgeVerdict {
  /** Mean score over the repeats that gave one. */
  score: number;
  /** Population variance of the repeats' scores (0 for one repeat). */
  variance: number;
  scores: number[];
  costUsd: number;
}

/** Replaces `{{input}}`, `{{output}}` and `{{expected}}`; other braces are left as written. */
export function renderRubric(rubric: string, values: JudgeInput): string {
  return rubric.replace(/\{\{\s*(input|output|expected)\s*\}\}/g, (_match, key: keyof JudgeInput) => values[key]);
}

/** Reads the score field of a verdict; a verdict that is not JSON or has no numeric score is an error. */
export function scoreOfVerdict(text: string, field: string): number {
  let verdict: unknown;
  try {
    verdict = JSON.parse(text);
  } catch {
    throw new FenerError('upstream_error', `the judge's verdict is not JSON: ${text.slice(0, 80)}`, { retryable: false });
  }
  const value = typeof verdict === 'object' && verdict !== null ? (verdict as Record<string, unknown>)[field] : undefined;
  const score = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof score !== 'number' || !Number.isFinite(score)) {
    throw new FenerError('upstream_error', `the judge's verdict has no numeric "${field}"`, { retryable: false });
  }
  return score;
}

export async function runJudge(
  client: EvalClient,
  judge: JudgeDefinition,
  context: { values: JudgeInput; seed: number; retries: number; metadata: Record<string, unknown>; signal?: AbortSignal },
): Promise<JudgeVerdict> {
  const scores: number[] = [];
  let costUsd = 0;
  const content = renderRubric(judge.rubric, context.values);
  for (let repeat = 0; repeat < judge.repeats; repeat++) {
    const completion = await completeWithRetries(
      client,
      {
        model: judge.model,
        messages: [{ role: 'user', content }],
        parameters: {
          ...judge.parameters,
          // Each repeat its own seed, so repeats are independent draws, reproducible run to run.
          seed: hashString(`${context.seed}:${judge.name}:${repeat}`) % 2_147_483_647,
          response_format: {
            type: 'json_schema',
            json_schema: { name: judge.name.replace(/[^A-Za-z0-9_-]/g, '_'), schema: judge.schema, strict: true },
          },
        },
        metadata: { ...context.metadata, judge: judge.name, repeat },
        ...(context.signal ? { signal: context.signal } : {}),
      },
      { retries: context.retries },
    );
    costUsd += completion.costUsd ?? 0;
    scores.push(scoreOfVerdict(completion.output, judge.score_field));
  }
  return { score: mean(scores), variance: variance(scores), scores, costUsd };
}

/** Item score keys of a judge: its mean score, and its variance when it repeats. */
export function judgeScores(judge: JudgeDefinition, verdict: JudgeVerdict): Record<string, number> {
  const scores: Record<string, number> = { [`judge.${judge.name}`]: verdict.score };
  if (judge.repeats > 1) scores[`judge.${judge.name}.variance`] = verdict.variance;
  return scores;
}

/** The text of an item's input for a rubric: its variables as JSON, or its messages as "role: content" lines. */
export function inputText(messages: readonly { role: string; content: unknown }[], variables: Record<string, unknown> | undefined): string {
  if (messages.length === 0) return JSON.stringify(variables ?? {});
  return messages
    .map((message) => `${message.role}: ${typeof message.content === 'string' ? message.content : JSON.stringify(message.content)}`)
    .join('\n');
}
