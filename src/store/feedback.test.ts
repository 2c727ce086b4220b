/** Feedback, score definitions and annotation queues: one conformance suite on SQLite and on the real Postgres server. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isFenerCode, storeBackends } from '../../test/support/store-backends.js';
import type { FeedbackInput, Store } from './index.js';

function feedbackRow(overrides: Partial<FeedbackInput> & Pick<FeedbackInput, 'project_id' | 'kind' | 'name'>): FeedbackInput {
  return {
    trace_id: 'trc_1',
    dataset_item_id: null,
    queue_item_id: null,
    value: null,
    label: null,
    correction: null,
    preference: null,
    comment: null,
    author: null,
    principal: 'key_a',
    ...overrides,
  };
}

const isCode = isFenerCode;

for (const backend of storeBackends('feedback')) {
  describe(`feedback store conformance: ${backend.name}`, () => {
    let store: Store;
    let projectId: string;
    before(async () => {
      store = await backend.open();
      projectId = (await store.projects.ensure('default')).id;
    });
    after(async () => {
      await store.close();
      await backend.cleanup();
    });

    test('score definitions: create, replace, list, delete — each change audited with before and after', async () => {
      const created = await store.feedback.defineScore({ projectId, name: 'helpfulness', kind: 'numeric', min: 1, max: 5, actor: 'key_a' });
      assert.equal(created.created, true);
      assert.deepEqual([created.definition.min, created.definition.max, created.definition.categories], [1, 5, null]);
      const replaced = await store.feedback.defineScore({
        projectId,
        name: 'helpfulness',
        kind: 'numeric',
        min: 1,
        max: 7,
        actor: 'key_b',
      });
      assert.equal(replaced.created, false);
      assert.equal(replaced.definition.created_at, created.definition.created_at);
      await store.feedback.defineScore({ projectId, name: 'topic', kind: 'categorical', categories: ['billing', 'bug'], actor: 'key_a' });
      assert.deepEqual((await store.feedback.getScore(projectId, 'topic'))?.categories, ['billing', 'bug']);
      assert.deepEqual(
        (await store.feedback.listScores(projectId)).map((definition) => definition.name),
        ['helpfulness', 'topic'],
      );
      await store.feedback.defineScore({ projectId, name: 'gone', kind: 'numeric', actor: 'key_a' });
      assert.equal(await store.feedback.deleteScore({ projectId, name: 'gone', actor: 'key_a' }), true);
      assert.equal(await store.feedback.deleteScore({ projectId, name: 'gone', actor: 'key_a' }), false);

      const log = await store.audit.list({ objectType: 'score_definition', objectId: `${projectId}/helpfulness` });
      assert.deepEqual(
        log.data.map((entry) => [entry.action, entry.actor]),
        [
          ['score_definition.update', 'key_b'],
          ['score_definition.create', 'key_a'],
        ],
      );
      assert.deepEqual([(log.data[0]?.before as { max: number }).max, (log.data[0]?.after as { max: number }).max], [5, 7]);
      assert.equal((await store.audit.list({ objectId: `${projectId}/gone` })).data[0]?.action, 'score_definition.delete');
      assert.equal((await store.audit.verify()).ok, true);
    });

    test('feedback: every kind round-trips; filters; cursor pages without gaps or repeats', async () => {
      const base = Date.UTC(2026, 0, 1);
      const rows: FeedbackInput[] = [];
      for (let index = 0; index < 25; index++) {
        rows.push(
          feedbackRow({
            project_id: projectId,
            kind: 'score',
            name: 'stars',
            value: (index % 5) + 1,
            created_at: base + Math.floor(index / 2),
            author: index % 2 === 0 ? 'ada' : 'bo',
          }),
        );
      }
      for (const row of rows) await store.feedback.insert(row);
      const preference = await store.feedback.insert(
        feedbackRow({
          project_id: projectId,
          kind: 'preference',
          name: 'preference',
          preference: { chosen: { trace_id: 'trc_2', text: null }, rejected: { trace_id: null, text: 'worse' } },
          created_at: base + 100,
        }),
      );
      const correction = await store.feedback.insert(
        feedbackRow({ project_id: projectId, kind: 'correction', name: 'correction', correction: 'Better.', created_at: base + 101 }),
      );
      assert.deepEqual(await store.feedback.get(preference.id), preference);
      assert.equal((await store.feedback.get(correction.id))?.correction, 'Better.');
      assert.equal((await store.feedback.get(correction.id))?.label, null);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.feedback.list({ projectId, name: 'stars', limit: 4, ...(cursor ? { cursor } : {}) });
        seen.push(...page.data.map((entry) => entry.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      assert.equal(seen.length, 25);
      assert.equal(new Set(seen).size, 25);
      assert.equal((await store.feedback.list({ projectId, author: 'ada', name: 'stars' })).data.length, 13);
      assert.equal((await store.feedback.list({ projectId, from: base + 100, to: base + 101 })).data[0]?.id, preference.id);
      assert.equal((await store.feedback.list({ projectId, kind: 'correction' })).data.length, 1);
      await assert.rejects(store.feedback.list({ cursor: 'nonsense' }), isCode('invalid_request'));
    });

    test('summary: count, mean and distribution per name; thumbs mean is the share of ups', async () => {
      const other = (await store.projects.ensure('summary-only')).id;
      for (const value of [1, 1, 0, 1]) {
        await store.feedback.insert(
          feedbackRow({ project_id: other, kind: 'thumbs', name: 'thumbs', value, label: value === 1 ? 'up' : 'down' }),
        );
      }
      for (const value of [2, 4, 4]) await store.feedback.insert(feedbackRow({ project_id: other, kind: 'score', name: 'stars', value }));
      for (const label of ['bug', 'bug', 'billing'])
        await store.feedback.insert(feedbackRow({ project_id: other, kind: 'label', name: 'topic', label }));
      await store.feedback.insert(feedbackRow({ project_id: other, kind: 'correction', name: 'correction', correction: 'x' }));
      const summary = await store.feedback.summary({ projectId: other });
      assert.deepEqual(summary, [
        { name: 'correction', kind: 'correction', count: 1, mean: null, distribution: {} },
        { name: 'stars', kind: 'score', count: 3, mean: 10 / 3, distribution: { '2': 1, '4': 2 } },
        { name: 'thumbs', kind: 'thumbs', count: 4, mean: 0.75, distribution: { up: 3, down: 1 } },
        { name: 'topic', kind: 'label', count: 3, mean: null, distribution: { bug: 2, billing: 1 } },
      ]);
      assert.deepEqual(
        (await store.feedback.summary({ projectId: other, name: 'stars' })).map((entry) => entry.count),
        [3],
      );
    });

    test('queues: round-robin assignment, duplicates skipped, next in order, submit once, skip reassigns, progress, audit', async () => {
      const queue = await store.annotationQueues.create({
        name: `review-${backend.name}`,
        project_id: projectId,
        description: null,
        reviewers: ['ann', 'ben', 'cem'],
        assignment: 'round_robin',
        required_reviews: 2,
        score_name: 'helpfulness',
        actor: 'key_a',
      });
      await assert.rejects(store.annotationQueues.create({ ...queue, actor: 'key_a' }), isCode('conflict'));
      const items = ['t1', 't2', 't3'].map((id) => ({
        sourceKind: 'trace' as const,
        sourceId: id,
        inputText: `in ${id}`,
        outputText: `out ${id}`,
      }));
      const first = await store.annotationQueues.addItems({ queue, items: [...items, items[0]!], actor: 'key_a' });
      assert.deepEqual([first.added.length, first.skipped], [3, 1]);
      const again = await store.annotationQueues.addItems({
        queue: (await store.annotationQueues.get(queue.name))!,
        items,
        actor: 'key_a',
      });
      assert.deepEqual([again.added.length, again.skipped], [0, 3]);

      // 2 reviews per item over 3 reviewers: t1 → ann, ben; t2 → cem, ann; t3 → ben, cem.
      const fresh = (await store.annotationQueues.get(queue.name))!;
      assert.equal(fresh.item_count, 3);
      const annFirst = await store.annotationQueues.next(queue.id, 'ann');
      assert.equal(annFirst?.source_id, 't1');
      assert.equal((await store.annotationQueues.next(queue.id, 'cem'))?.source_id, 't2');

      const answer = (item: typeof annFirst, reviewer: string, value: number) =>
        store.annotationQueues.submit({
          item: item!,
          reviewer,
          feedback: feedbackRow({
            project_id: projectId,
            kind: 'score',
            name: 'helpfulness',
            value,
            trace_id: item!.source_id,
            queue_item_id: item!.id,
            author: reviewer,
          }),
        });
      await answer(annFirst, 'ann', 4);
      const before = (await store.feedback.list({ queueItemId: annFirst!.id })).data.length;
      await assert.rejects(answer(annFirst, 'ann', 5), isCode('conflict'), 'a second answer to the same assignment is refused');
      assert.equal((await store.feedback.list({ queueItemId: annFirst!.id })).data.length, before, 'and leaves no feedback behind');
      assert.equal((await store.annotationQueues.next(queue.id, 'ann'))?.source_id, 't2');

      const t1 = (await store.annotationQueues.getItem(queue.id, annFirst!.id))!;
      await answer(t1, 'ben', 4);
      const skipped = await store.annotationQueues.skip({
        queue: fresh,
        item: (await store.annotationQueues.next(queue.id, 'cem'))!,
        reviewer: 'cem',
      });
      assert.equal(skipped.reassigned_to, 'ben', 't2 goes to the only reviewer not already on it');

      const progress = await store.annotationQueues.progress(fresh);
      assert.equal(progress.total_items, 3);
      assert.equal(progress.completed_items, 1);
      assert.deepEqual(progress.reviewers, [
        { reviewer: 'ann', assigned: 2, done: 1, skipped: 0, pending: 1 },
        { reviewer: 'ben', assigned: 3, done: 1, skipped: 0, pending: 2 },
        { reviewer: 'cem', assigned: 2, done: 0, skipped: 1, pending: 1 },
      ]);
      const ratings = await store.annotationQueues.ratings(queue.id);
      assert.deepEqual(
        ratings.map((rating) => [rating.reviewer, rating.value]),
        [
          ['ann', 4],
          ['ben', 4],
        ],
      );
      const log = await store.audit.list({ objectType: 'annotation_queue', objectId: queue.name });
      assert.deepEqual(
        log.data.map((entry) => entry.action),
        ['queue.items_add', 'queue.create'],
      );
    });

    test('queues: explicit reviewers are assigned as named', async () => {
      const queue = await store.annotationQueues.create({
        name: `explicit-${backend.name}`,
        project_id: projectId,
        description: 'hand-picked',
        reviewers: ['ann', 'ben', 'cem'],
        assignment: 'explicit',
        required_reviews: 1,
        score_name: null,
        actor: 'key_a',
      });
      await store.annotationQueues.addItems({
        queue,
        items: [{ sourceKind: 'dataset_item', sourceId: 'dsi_1', inputText: 'q', outputText: null }],
        reviewers: ['cem'],
        actor: 'key_a',
      });
      assert.equal(await store.annotationQueues.next(queue.id, 'ann'), undefined);
      const item = await store.annotationQueues.next(queue.id, 'cem');
      assert.deepEqual([item?.source_kind, item?.source_id, item?.output_text], ['dataset_item', 'dsi_1', null]);
    });
  });
}
