/** `/api/evals/metrics`: the metric names, and scoring predictions against references with one of them. */
import { z } from 'zod';
import type { MetricInfo } from '../../core/index.js';
import { computeMetric, metricCatalogue, metricNames } from '../../evals/index.js';
import { defineRoute, type AnyApiRoute } from '../api-route.js';

/** Scoring runs on the event loop; bounding the items keeps one request from stalling the server. */
export const maxMetricItems = 10_000;

const metricBody = z.object({
  metric: z
    .string()
    .min(1)
    .describe(`One of: ${metricNames.join(', ')}`),
  predictions: z.array(z.string()).max(maxMetricItems),
  references: z
    .array(z.array(z.string()))
    .max(maxMetricItems)
    .default([])
    .describe(
      'One array of one or more references per prediction (may be omitted for regex, json_valid, json_schema, length, latency, cost, embedding_cosine)',
    ),
  options: z.record(z.string(), z.unknown()).optional().describe('Metric options, named as the reference libraries name them'),
});

const metricResponse = z.object({
  metric: z.string(),
  corpus: z.record(z.string(), z.number()),
  items: z.array(z.record(z.string(), z.number())),
  signature: z.string().optional(),
});

const scoreMetric = defineRoute({
  method: 'POST',
  path: '/api/evals/metrics',
  summary: 'Score predictions against references (BLEU, chrF, ROUGE, exact match, token F1, JSON, …)',
  tag: 'evals',
  auth: 'key',
  body: metricBody,
  response: metricResponse,
  handler: ({ body }) =>
    Promise.resolve(
      computeMetric({
        metric: body.metric,
        predictions: body.predictions,
        references: body.references,
        ...(body.options === undefined ? {} : { options: body.options }),
      }),
    ),
});

const metricInfo = z.object({
  name: z.string(),
  options: z.array(z.string()).describe('The option names it accepts'),
  references_optional: z.boolean().describe('Items may have no reference'),
  experiments: z.boolean().describe("An experiment's metrics may name it (false: it scores measurements passed in its options)"),
}) satisfies z.ZodType<MetricInfo>;

const listMetrics = defineRoute({
  method: 'GET',
  path: '/api/evals/metrics',
  summary: 'The metrics that an experiment or POST /api/evals/metrics accepts, with their option names',
  tag: 'evals',
  auth: 'key',
  response: z.object({ data: z.array(metricInfo) }),
  handler: () => Promise.resolve({ data: [...metricCatalogue] }),
});

export const evalMetricRoutes: AnyApiRoute[] = [listMetrics, scoreMetric];
