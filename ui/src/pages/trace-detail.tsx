/** One trace in full: what was asked, what came back, how long it took (to the first token), tokens, cost, metadata. */
import type { ReactNode } from 'react';
import type { Trace } from '../../../src/sdk/browser.js';
import { AsyncView, useAsync } from '../components/async.js';
import { count, dateTime, json, ms, usd } from '../components/format.js';
import { Link } from '../router.js';
import { useClient } from '../session.js';
import { AddTraceToQueue } from './queue-items.js';
import { TraceFeedback } from './trace-feedback.js';

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The chat messages of an OpenAI-format request body, when it is one. */
function requestMessages(body: unknown): { role: string; content: string }[] {
  const messages = record(body)?.messages;
  if (!Array.isArray(messages)) return [];
  return messages.map((message) => {
    const item = record(message);
    const content = item?.content;
    return { role: String(item?.role ?? '?'), content: typeof content === 'string' ? content : json(content) };
  });
}

/** The assistant's text: traces store `{message: {content}}`; an OpenAI-format body has `choices`. */
function responseText(body: unknown): string | undefined {
  const direct = record(record(body)?.message)?.content;
  if (typeof direct === 'string') return direct;
  const choices = record(body)?.choices;
  if (!Array.isArray(choices)) return undefined;
  const texts = choices.map((choice) => record(record(choice)?.message)?.content).filter((text) => typeof text === 'string');
  return texts.length > 0 ? texts.join('\n---\n') : undefined;
}

export function TraceDetailPage(props: { id: string }): ReactNode {
  const client = useClient();
  const trace = useAsync(() => client.traces.get(props.id), [client, props.id]);
  return (
    <section>
      <p>
        <Link to="/traces">← Traces</Link>
      </p>
      <AsyncView data={trace} what="the trace">
        {(value) => <TraceView trace={value} />}
      </AsyncView>
    </section>
  );
}

function Timing(props: { trace: Trace }): ReactNode {
  const { latency_ms: total, ttft_ms: ttft } = props.trace;
  const share = ttft === null || total === 0 ? 0 : Math.min(100, (ttft / total) * 100);
  return (
    <figure className="timing">
      <figcaption>
        Timing: {ttft === null ? '' : `first token after ${ms(ttft)}, `}done after {ms(total)}
        {props.trace.stream ? ' (streamed)' : ''}
      </figcaption>
      <div className="timing-bar" role="img" aria-label={`time to first token ${ms(ttft)} of ${ms(total)} total`}>
        <span className="waiting" style={{ width: `${share}%` }} />
        <span className="streaming" style={{ width: `${100 - share}%` }} />
      </div>
    </figure>
  );
}

function TraceView(props: { trace: Trace }): ReactNode {
  const { trace } = props;
  const messages = requestMessages(trace.request_body);
  const answer = responseText(trace.response_body);
  const facts: [string, ReactNode][] = [
    ['Time (UTC)', dateTime(trace.created_at)],
    ['Status', <span className={`badge ${trace.status}`}>{`${trace.status} · HTTP ${trace.http_status}`}</span>],
    ['Model asked', trace.model],
    ['Served by', `${trace.provider ?? '–'} / ${trace.upstream_model ?? '–'}`],
    ['Endpoint', trace.endpoint],
    ['Latency', ms(trace.latency_ms)],
    ['Time to first token', ms(trace.ttft_ms)],
    ['Input tokens', `${count(trace.input_tokens)}${trace.cached_input_tokens ? ` (${count(trace.cached_input_tokens)} cached)` : ''}`],
    ['Output tokens', `${count(trace.output_tokens)}${trace.tokens_estimated ? ' (estimated)' : ''}`],
    ['Cost', usd(trace.cost_usd)],
    ['Attempts', String(trace.attempts)],
    ['Cache', trace.cache_hit ? `${trace.cache_hit} hit, saved ${usd(trace.cost_saved_usd)}` : 'miss'],
    ['Key', trace.key_id ?? '–'],
    ['Project', trace.project_id],
    ['End user', trace.end_user ?? '–'],
    ['Session', trace.session_id ?? '–'],
    ['Trace id', trace.trace_id],
    ['Request id', trace.request_id],
  ];
  return (
    <>
      <h1>
        Trace <code>{trace.id}</code>
      </h1>
      {trace.status === 'error' ? (
        <div className="state error" role="alert">
          <strong>{trace.error_code}</strong>: {trace.error_message}
        </div>
      ) : null}
      <Timing trace={trace} />
      <dl className="facts">
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h2>Request</h2>
      {messages.length > 0 ? (
        <ol className="messages">
          {messages.map((message, index) => (
            <li key={index}>
              <span className="role">{message.role}</span>
              <pre>{message.content}</pre>
            </li>
          ))}
        </ol>
      ) : null}
      <details>
        <summary>Request body (JSON)</summary>
        <pre>{json(trace.request_body)}</pre>
      </details>
      <h2>Response</h2>
      {answer !== undefined ? <pre className="answer">{answer}</pre> : null}
      <details>
        <summary>Response body (JSON)</summary>
        <pre>{json(trace.response_body)}</pre>
      </details>
      <h2>Metadata</h2>
      {trace.metadata ? <pre>{json(trace.metadata)}</pre> : <p className="muted">None.</p>}
      <TraceFeedback trace={trace} />
      <AddTraceToQueue trace={trace} />
    </>
  );
}
