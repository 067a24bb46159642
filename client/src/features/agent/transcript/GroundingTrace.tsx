import { neutraliseBidi, type MessageStatus, type TranscriptMessage } from '@aisle/shared';
import { formatCount, formatMs, formatPrice } from '../format';

type Trace = NonNullable<TranscriptMessage['trace']>;
type ToolCall = Trace['toolCalls'][number];

const OUTCOMES: Record<MessageStatus, string> = {
  complete: 'completed',
  stopped: 'stopped',
  error: 'failed',
  streaming: 'generating',
};

/** "Grounding trace: completed, 2 tool calls, 1 mismatch", the disclosure's summary. */
export function traceSummary(status: MessageStatus, trace: Trace): string {
  const parts = [OUTCOMES[status]];
  const calls = trace.toolCalls.length;
  parts.push(calls === 0 ? 'no tool calls' : `${calls} tool call${calls === 1 ? '' : 's'}`);
  if (trace.mismatches.length > 0)
    parts.push(`${trace.mismatches.length} grounding mismatch${trace.mismatches.length === 1 ? '' : 'es'}`);
  return `Grounding trace: ${parts.join(', ')}`;
}

interface GroundingTraceProps {
  message: TranscriptMessage;
  trace: Trace;
}

/** Why an answer said what it said: the searches it ran, what they returned then, and its timings. */
export function GroundingTrace({ message, trace }: GroundingTraceProps) {
  const hasMismatch = trace.mismatches.length > 0;
  return (
    <details className={`trace outcome-${message.status}${hasMismatch ? ' has-mismatch' : ''}`}>
      <summary>{traceSummary(message.status, trace)}</summary>
      <div className="trace-body">
        <dl className="trace-facts">
          <Fact term="Outcome" value={OUTCOMES[message.status]} />
          <Fact term="Model" value={trace.model ?? '–'} />
          <Fact term="Config version" value={trace.configVersion ?? '–'} />
          <Fact term="Time to first token" value={formatMs(trace.firstTokenMs)} />
          <Fact term="Total time" value={formatMs(trace.totalMs)} />
          <Fact term="Prompt tokens" value={formatCount(trace.promptTokens)} />
          <Fact term="Completion tokens" value={formatCount(trace.completionTokens)} />
          {trace.doneReason !== null && <Fact term="Done reason" value={trace.doneReason} />}
          {trace.servedBy !== null && (
            <Fact
              term="Served by"
              value={`${trace.servedBy.hostName} (${trace.servedBy.url})${trace.servedBy.isFallback ? ', fallback host' : ''}`}
            />
          )}
        </dl>
        {message.error !== null && (
          <p className="trace-error">
            <strong>Error:</strong> {message.error.message} <code>{message.error.code}</code>
          </p>
        )}
        {hasMismatch && (
          <section className="trace-section" aria-label="Grounding mismatches">
            <h4>Grounding mismatches</h4>
            <ul className="mismatch-list">
              {trace.mismatches.map((mismatch, index) => (
                <li key={index}>
                  <span className="mismatch-kind">{mismatch.kind}</span> {mismatch.text}
                </li>
              ))}
            </ul>
          </section>
        )}
        <section className="trace-section" aria-label="Tool calls">
          <h4>Tool calls</h4>
          {trace.toolCalls.length === 0 ? (
            <p className="agent-muted">No tool calls: the answer did not consult the catalogue.</p>
          ) : (
            <ol className="tool-calls">
              {trace.toolCalls.map((call, index) => (
                <ToolCallItem key={index} call={call} />
              ))}
            </ol>
          )}
        </section>
      </div>
    </details>
  );
}

/** A get_policy call: which policy the answer read, and its text as it was then. */
function PolicyCallItem({ call, label }: { call: ToolCall; label: string }) {
  return (
    <li className="tool-call tool-call-policy">
      <p className="tool-call-head">
        <strong className="tool-name">{neutraliseBidi(label)}</strong>
        <span className={`origin-chip origin-${call.origin}`}>called by the model</span>
        <span className="agent-muted">{formatMs(call.durationMs)}</span>
      </p>
      {call.error !== null && (
        <p className="trace-error">
          <strong>Tool error:</strong> {call.error}
        </p>
      )}
      {call.policy && (
        <details className="policy-text">
          <summary>Policy text the answer was given</summary>
          <pre className="tool-args">{neutraliseBidi(call.policy.text)}</pre>
        </details>
      )}
    </li>
  );
}

function Fact({ term, value }: { term: string; value: string }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </div>
  );
}

const AVAILABILITY: Record<string, string> = {
  in_stock: 'In stock',
  out_of_stock: 'Out of stock',
  preorder: 'Preorder',
  backorder: 'Backorder',
};

/** "Policy: returns" for a get_policy call: the policy it returned, else the topic the model asked for. */
export function policyLabel(call: ToolCall): string | null {
  if (call.name !== 'get_policy') return null;
  const asked = typeof call.arguments.topic === 'string' ? call.arguments.topic : '?';
  return `Policy: ${call.policy?.topic ?? asked}`;
}

function ToolCallItem({ call }: { call: ToolCall }) {
  const policy = policyLabel(call);
  if (policy !== null) return <PolicyCallItem call={call} label={policy} />;
  return (
    <li className="tool-call">
      <p className="tool-call-head">
        <code className="tool-name">{call.name}</code>
        <span className={`origin-chip origin-${call.origin}`}>
          {call.origin === 'prefetch' ? 'prefetch (server, before the model)' : 'called by the model'}
        </span>
        <span className="agent-muted">{formatMs(call.durationMs)}</span>
      </p>
      <pre className="tool-args" aria-label={`Arguments of ${call.name}`}>
        <code>{JSON.stringify(call.arguments, null, 2)}</code>
      </pre>
      {call.error !== null && (
        <p className="trace-error">
          <strong>Tool error:</strong> {call.error}
        </p>
      )}
      {call.products.length === 0 ? (
        call.error === null && <p className="agent-muted">Returned no products.</p>
      ) : (
        <div className="table-scroll">
          <table className="trace-products">
            <caption className="sr-only">Products {call.name} returned, as they were at that moment</caption>
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">Name</th>
                <th scope="col">Price</th>
                <th scope="col">Stock</th>
              </tr>
            </thead>
            <tbody>
              {call.products.map((product) => (
                <tr key={product.id}>
                  <td>
                    <code>{product.id}</code>
                  </td>
                  <td>{neutraliseBidi(product.title)}</td>
                  <td>
                    {product.salePriceMinor !== null ? (
                      <>
                        {formatPrice(product.salePriceMinor, product.currency)}{' '}
                        <s className="agent-muted">
                          <span className="sr-only">was </span>
                          {formatPrice(product.priceMinor, product.currency)}
                        </s>
                      </>
                    ) : (
                      formatPrice(product.priceMinor, product.currency)
                    )}
                  </td>
                  <td>
                    {AVAILABILITY[product.availability] ?? product.availability}
                    {product.stock !== null && ` (${product.stock.toLocaleString()})`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </li>
  );
}
