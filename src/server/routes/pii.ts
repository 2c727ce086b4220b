/** `POST /api/pii/redact`: the PII engine over HTTP, with the caller's project salt for `hash`. */
import { z } from 'zod';
import { piiTypes, redactPii, redactionModes } from '../../pii/index.js';
import { defineRoute } from '../api-route.js';

/** 1 MiB of text per call: the engine is linear, this bounds one request's CPU time. */
const maxTextLength = 1024 * 1024;

const entitySchema = z.object({
  type: z.enum(piiTypes),
  start: z.number().describe('UTF-16 code-unit offset into the input text'),
  end: z.number().describe('Exclusive UTF-16 code-unit offset into the input text'),
});

const redact = defineRoute({
  method: 'POST',
  path: '/api/pii/redact',
  summary: 'Detect and redact personal data and secrets in a text',
  tag: 'pii',
  auth: 'key',
  body: z
    .object({
      text: z.string().max(maxTextLength, `must be at most ${maxTextLength} characters`),
      mode: z.enum(redactionModes).describe('mask → [EMAIL]; hash → [EMAIL_3f9a2c1b], stable per value and project; remove → deleted'),
      types: z.array(z.enum(piiTypes)).min(1).optional().describe('Only these entity types; absent means all'),
    })
    .strict(),
  response: z.object({ text: z.string(), entities: z.array(entitySchema) }),
  handler: async ({ body, principal, context }) => {
    // The same salt as the gateway's guardrail and trace redaction of this project.
    const salt = context.runtime.pii.saltFor(principal?.projectId ?? 'admin');
    return redactPii(body.text, { mode: body.mode, salt, ...(body.types ? { types: body.types } : {}) });
  },
});

export const piiRoutes = [redact];
