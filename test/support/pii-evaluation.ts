/**
 * Precision and recall of the PII engine on the labelled set in test/fixtures/pii/*.jsonl.
 * A prediction is a true positive when a labelled entity has the same type and the exact span.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { detectPii, piiTypes } from '../../src/pii/index.js';
import type { PiiEntity, PiiType } from '../../src/pii/index.js';

const exampleSchema = z.object({
  id: z.string(),
  lang: z.string(),
  text: z.string(),
  entities: z.array(z.object({ type: z.enum(piiTypes), start: z.number().int(), end: z.number().int() })),
});
export type LabelledExample = z.infer<typeof exampleSchema>;

export const fixtureDirectory = fileURLToPath(new URL('../fixtures/pii/', import.meta.url));

export function loadLabelledSet(directory = fixtureDirectory): LabelledExample[] {
  const examples: LabelledExample[] = [];
  for (const file of readdirSync(directory)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()) {
    const lines = readFileSync(`${directory}${file}`, 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      const parsed = exampleSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file}:${index + 1}: ${parsed.error.message}`);
      examples.push(parsed.data);
    });
  }
  return examples;
}

export interface TypeScore {
  type: PiiType;
  support: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

export interface Mistake {
  id: string;
  kind: 'missed' | 'spurious';
  type: PiiType;
  value: string;
}

const key = (entity: PiiEntity): string => `${entity.type}:${entity.start}:${entity.end}`;

export function evaluate(examples: readonly LabelledExample[]): { scores: TypeScore[]; mistakes: Mistake[] } {
  const counts = new Map(piiTypes.map((type) => [type, { tp: 0, fp: 0, fn: 0 }]));
  const mistakes: Mistake[] = [];
  for (const example of examples) {
    const expected = new Set(example.entities.map(key));
    const predicted = detectPii(example.text);
    const found = new Set(predicted.map(key));
    for (const entity of predicted) {
      const count = counts.get(entity.type);
      if (!count) continue;
      if (expected.has(key(entity))) count.tp += 1;
      else {
        count.fp += 1;
        mistakes.push({ id: example.id, kind: 'spurious', type: entity.type, value: example.text.slice(entity.start, entity.end) });
      }
    }
    for (const entity of example.entities) {
      if (found.has(key(entity))) continue;
      const count = counts.get(entity.type);
      if (count) count.fn += 1;
      mistakes.push({ id: example.id, kind: 'missed', type: entity.type, value: example.text.slice(entity.start, entity.end) });
    }
  }
  const scores = piiTypes.map((type) => {
    const { tp, fp, fn } = counts.get(type) ?? { tp: 0, fp: 0, fn: 0 };
    return {
      type,
      support: tp + fn,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
      precision: tp + fp === 0 ? 1 : tp / (tp + fp),
      recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    };
  });
  return { scores, mistakes };
}

export function formatScores(scores: readonly TypeScore[]): string {
  const rows = scores.map(
    (score) =>
      `| ${score.type.padEnd(15)} | ${String(score.support).padStart(7)} | ${score.precision.toFixed(3)}     | ${score.recall.toFixed(3)}  | ${String(score.falsePositives).padStart(3)} | ${String(score.falseNegatives).padStart(3)} |`,
  );
  return [
    '| type            | support | precision | recall | FP  | FN  |',
    '|-----------------|---------|-----------|--------|-----|-----|',
    ...rows,
  ].join('\n');
}
