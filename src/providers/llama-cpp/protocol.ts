/**
 * The messages between the gateway process and its llama.cpp child. llama.cpp runs in a child
 * process because some malformed models abort the whole process from native code; both sides
 * parse every message with these schemas, so a confused or dying child cannot feed the gateway
 * malformed data.
 */
import { z } from 'zod';

/** What the child needs to load its one model; passed as JSON in its first argument. */
export const childSettingsSchema = z.object({
  modelPath: z.string().min(1),
  threads: z.number().int().positive(),
  contextSize: z.number().int().positive(),
});
export type ChildSettings = z.infer<typeof childSettingsSchema>;

/** A chat turn already reduced to text: roles llama.cpp's chat templates know. */
export const turnSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  text: z.string(),
});
export type Turn = z.infer<typeof turnSchema>;

export const generationSchema = z.object({
  maxTokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2),
  topP: z.number().gt(0).max(1).optional(),
  seed: z.number().int().optional(),
  stop: z.array(z.string().min(1)),
  presencePenalty: z.number().min(-2).max(2).optional(),
  frequencyPenalty: z.number().min(-2).max(2).optional(),
});
export type Generation = z.infer<typeof generationSchema>;

const jobId = z.number().int().nonnegative();

export const parentMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chat'), id: jobId, turns: z.array(turnSchema).min(1), generation: generationSchema }),
  z.object({
    type: z.literal('embed'),
    id: jobId,
    input: z.array(z.string()).min(1),
    dimensions: z.number().int().positive().optional(),
  }),
  /** Loads the model without generating anything (warm-up, readiness). */
  z.object({ type: z.literal('load'), id: jobId }),
  z.object({ type: z.literal('cancel'), id: jobId }),
]);
export type ParentMessage = z.infer<typeof parentMessageSchema>;
export type JobMessage = Exclude<ParentMessage, { type: 'cancel' }>;

/** The error codes a child may report; the parent turns them into `FenerError`s. */
export const childErrorCodes = ['invalid_request', 'context_length_exceeded', 'upstream_error'] as const;
export type ChildErrorCode = (typeof childErrorCodes)[number];

export const childMessageSchema = z.discriminatedUnion('type', [
  /** The child started loading the model: a crash from now on is blamed on the model file. */
  z.object({ type: z.literal('model-loading') }),
  z.object({ type: z.literal('model-loaded') }),
  z.object({ type: z.literal('chat-start'), id: jobId, inputTokens: z.number().int().nonnegative() }),
  z.object({ type: z.literal('text-delta'), id: jobId, text: z.string() }),
  z.object({
    type: z.literal('chat-end'),
    id: jobId,
    finishReason: z.enum(['stop', 'length']),
    outputTokens: z.number().int().nonnegative(),
  }),
  z.object({
    type: z.literal('embed-end'),
    id: jobId,
    embeddings: z.array(z.array(z.number())),
    inputTokens: z.number().int().nonnegative(),
  }),
  z.object({ type: z.literal('load-end'), id: jobId }),
  z.object({
    type: z.literal('job-failed'),
    id: jobId,
    code: z.enum(childErrorCodes),
    message: z.string(),
    retryable: z.boolean(),
    param: z.string().optional(),
  }),
]);
export type ChildMessage = z.infer<typeof childMessageSchema>;
/** Messages that answer one job (every child message but the model-wide ones). */
export type JobReply = Extract<ChildMessage, { id: number }>;
