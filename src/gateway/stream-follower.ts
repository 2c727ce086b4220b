/**
 * Follows a stream from its opening to its end, between the upstream and the client: it feeds the
 * trace, checks a running budget, fills in usage the upstream did not send, captures the answer
 * for the cache, and turns every way a stream can end into exactly one trace record.
 */
import { FenerError } from '../core/index.js';
import type { ChatRequest, ChatStreamEvent, Usage } from '../providers/index.js';
import type { CacheLookup, CacheStep } from './cache-step.js';
import type { CallContext, CallRecord } from './call-record.js';
import type { CallGuard } from './call-guard.js';
import { StreamAssembler } from './stream-assembler.js';
import { approximateInputTokens, estimateInputTokens, estimateOutputTokens } from './usage.js';

export interface FollowedStream {
  head: ChatStreamEvent[];
  iterator: AsyncIterator<ChatStreamEvent>;
  call: CallRecord;
  request: ChatRequest;
  context: CallContext;
  guard: CallGuard;
  cache: { step: CacheStep; lookup: CacheLookup } | undefined;
  /** Set when the stream is a replay from the cache. */
  cacheHit?: { kind: 'exact' | 'semantic'; savedCostUsd: number };
}

/** How often (in text events) a budgeted stream checks its running cost. */
const budgetCheckEvery = 16;

export async function* followStream(stream: FollowedStream): AsyncGenerator<ChatStreamEvent> {
  const { iterator, call, request, context, guard } = stream;
  const assembler = new StreamAssembler();
  const ttftMs = (): { ttftMs?: number } =>
    assembler.firstTokenAt === undefined ? {} : { ttftMs: assembler.firstTokenAt - context.startedAt };
  let events = 0;
  try {
    for (const event of stream.head) {
      assembler.add(event);
      yield event;
    }
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      assembler.add(next.value);
      yield next.value;
      if (guard.budgeted && next.value.type === 'text-delta' && ++events % budgetCheckEvery === 0) {
        if (!(await guard.allowsRunningCost(call.costOf(runningUsage(assembler, request))))) {
          throw new FenerError('budget_exceeded', 'The budget was reached while this answer was streaming; it was stopped.');
        }
      }
    }
    if (assembler.finishReason === undefined) throw new FenerError('upstream_error', 'the upstream stream ended before it finished');
    const estimated = assembler.usage === undefined;
    const usage = assembler.usage ?? {
      input_tokens: estimateInputTokens(request.messages, request.tools),
      output_tokens: estimateOutputTokens(assembler.message),
    };
    if (estimated) yield { type: 'usage', usage };
    call.succeed({
      usage,
      usageEstimated: estimated,
      response: { ...assembler.snapshot(), usage },
      ...ttftMs(),
      ...(stream.cacheHit ? { cacheHit: stream.cacheHit } : {}),
    });
    const cost = stream.cacheHit ? 0 : call.costOf(usage);
    void guard.settle(usage, cost);
    const result = stream.cache ? assembler.result() : undefined;
    if (stream.cache && result && !stream.cacheHit) stream.cache.step.remember(stream.cache.lookup, { ...result, usage }, cost);
  } catch (error) {
    const usage = assembler.usage ?? (assembler.firstTokenAt === undefined ? undefined : runningUsage(assembler, request));
    call.fail({ error, partial: assembler.snapshot(), ...ttftMs(), ...(usage ? { usage } : {}) });
    void guard.settle(usage, usage ? call.costOf(usage) : 0);
    throw error;
  } finally {
    if (!call.isFinished) {
      // The client stopped reading (the consumer called return()): stop the upstream too.
      const usage = runningUsage(assembler, request);
      call.fail({ error: new Error('the client closed the stream'), partial: assembler.snapshot(), usage, ...ttftMs() });
      void guard.settle(usage, call.costOf(usage));
      await iterator.return?.();
    }
  }
}

/**
 * What a stream has consumed so far, approximated (about 3 characters a token) because it is
 * checked while tokens flow; the upstream's own usage replaces it when the stream reports one.
 */
function runningUsage(assembler: StreamAssembler, request: ChatRequest): Usage {
  if (assembler.usage) return assembler.usage;
  return {
    input_tokens: approximateInputTokens(request.messages, request.tools),
    output_tokens: Math.ceil((assembler.message.content ?? '').length / 3),
  };
}
