import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

const tracer = trace.getTracer('countersign');

/** The W3C traceparent of the active span, to store beside an outbox row. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** Trace headers for an outgoing message, from the given context. */
export function traceHeaders(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/**
 * Runs `work` inside a span named `<operation> <subject>`, following messaging conventions.
 * Under an unsampled parent (or a root the sampler declines) the span does not record: it
 * only carries the trace context on, and its attributes are never built.
 */
export async function inMessagingSpan<T>(
  operation: 'send' | 'process',
  subject: string,
  parent: Context,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const kind = operation === 'send' ? SpanKind.PRODUCER : SpanKind.CONSUMER;
  return tracer.startActiveSpan(`${operation} ${subject}`, { kind }, parent, async (span) => {
    if (span.isRecording()) {
      span.setAttributes({
        'messaging.system': 'nats',
        'messaging.destination.name': subject,
        'messaging.operation.type': operation,
      });
    }
    try {
      return await work(span);
    } catch (error) {
      if (span.isRecording()) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      throw error;
    } finally {
      span.end();
    }
  });
}
