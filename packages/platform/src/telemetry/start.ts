import type { Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { FileSpanExporter } from './file-span-exporter.js';
import { samplerFromEnv } from './sampler.js';

/**
 * Starts OpenTelemetry for one service. Call it from the preload file, before anything
 * imports http or pg. Spans go to OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set and to a
 * JSON-lines file when COUNTERSIGN_SPANS_FILE is set. Which traces are recorded is the
 * sampler's choice (samplerFromEnv); an unrecorded request still carries a trace id, so
 * trace context flows and every log line carries its trace id.
 */
export function startTelemetry(service: string, env = process.env): NodeSDK {
  const processors: SpanProcessor[] = [];
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  if (env.COUNTERSIGN_SPANS_FILE) {
    processors.push(
      new BatchSpanProcessor(new FileSpanExporter(env.COUNTERSIGN_SPANS_FILE, service), {
        scheduledDelayMillis: 200,
      }),
    );
  }
  const sampler = samplerFromEnv(env, processors.length > 0);
  if (processors.length === 0) processors.push(new NoopSpanProcessor());
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': `countersign-${service}` }),
    sampler,
    spanProcessors: processors,
    // Explicitly none: left unset, the SDK defaults to OTLP metric and log exporters that
    // record on every request and hang shutdown trying to reach a collector.
    metricReaders: [],
    logRecordProcessors: [],
    // Only what a trace needs: the HTTP doors and clients (they carry the trace context)
    // and pg. No auto-instrumentation bundle: fs, dns and net spans would cost every
    // request and say nothing. Outgoing calls and queries outside any span (relay polls,
    // timer loops) would each start a trace of their own: they are left out.
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) =>
          request.url === '/healthz' || request.url === '/readyz',
        // A stream ticket in the URL is a credential: no span keeps it.
        requestHook: (span) => redactSecretQueries(span),
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      // A pool checkout span per query doubles the spans and tells nothing the query's doesn't.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    ],
  });
  sdk.start();
  return sdk;
}

/** Query parameters whose values are credentials (`GET /api/stream?ticket=…`). */
const SECRET_QUERY = /((?:^|[?&])(?:ticket|access_token)=)[^&#\s]*/gi;

/**
 * Rewrites every URL-bearing attribute the HTTP instrumentation set, whatever its semconv
 * (`http.target` and `http.url` hold `?ticket=…`, `url.query` holds `ticket=…`).
 */
function redactSecretQueries(span: Span): void {
  const attributes = (span as unknown as { attributes?: Record<string, unknown> }).attributes;
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (typeof value !== 'string') continue;
    const redacted = value.replace(SECRET_QUERY, '$1REDACTED');
    if (redacted !== value) span.setAttribute(name, redacted);
  }
}

let running: NodeSDK | undefined;

/** Starts telemetry once per process; the preload file calls this. */
export function startProcessTelemetry(service: string): void {
  running ??= startTelemetry(service);
}

/** Flushes buffered spans on shutdown. */
export async function shutdownTelemetry(): Promise<void> {
  await running?.shutdown();
}
