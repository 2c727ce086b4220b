import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PiiType } from '../src/pii/index.js';
import { evaluate, formatScores, loadLabelledSet } from './support/pii-evaluation.js';

/**
 * Minimums on the labelled set. Checksum and fixed-format types must be near perfect (a miss
 * there is a bug); phones rely on libphonenumber's plans; names and addresses are found only in
 * context, so their recall is allowed to be lower.
 */
const minimums: Record<PiiType, { precision: number; recall: number }> = {
  email: { precision: 0.98, recall: 0.98 },
  credit_card: { precision: 0.98, recall: 0.98 },
  iban: { precision: 0.98, recall: 0.98 },
  tr_national_id: { precision: 0.98, recall: 0.98 },
  ip_address: { precision: 0.95, recall: 0.95 },
  url_credentials: { precision: 0.95, recall: 0.95 },
  secret: { precision: 0.95, recall: 0.95 },
  phone: { precision: 0.9, recall: 0.9 },
  person: { precision: 0.85, recall: 0.75 },
  address: { precision: 0.85, recall: 0.75 },
};

test('the labelled set is large, multilingual and has exact spans', () => {
  const examples = loadLabelledSet();
  assert.ok(examples.length >= 500, `${examples.length} examples`);
  for (const lang of ['en', 'tr', 'de']) assert.ok(examples.filter((example) => example.lang === lang).length >= 100, lang);
  assert.ok(examples.filter((example) => example.entities.length === 0).length >= 100, 'negative-only examples');
  for (const example of examples) {
    for (const entity of example.entities) {
      assert.ok(entity.start >= 0 && entity.start < entity.end && entity.end <= example.text.length, example.id);
    }
  }
});

test('precision and recall per entity type meet the minimums', () => {
  const { scores, mistakes } = evaluate(loadLabelledSet());
  const table = formatScores(scores);
  for (const score of scores) {
    const minimum = minimums[score.type];
    assert.ok(score.support >= 20, `${score.type}: only ${score.support} labelled examples`);
    const detail = `${score.type}\n${table}\n${JSON.stringify(
      mistakes.filter((m) => m.type === score.type),
      null,
      1,
    )}`;
    assert.ok(score.precision >= minimum.precision, `precision ${detail}`);
    assert.ok(score.recall >= minimum.recall, `recall ${detail}`);
  }
});
