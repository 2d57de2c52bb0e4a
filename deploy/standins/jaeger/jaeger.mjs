// Stand-in trace store (see Dockerfile). Arguments (e.g. --set ...) are accepted and ignored.
import { createServer } from 'node:http';

const MAX_TRACES = 10_000;
/** traceId (hex) -> spans in Jaeger's JSON form, each with its service name. */
const traces = new Map();

async function readJson(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function reply(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const attributeValue = (value) =>
  value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue ?? '';

const tagsOf = (attributes = []) =>
  attributes.map(({ key, value }) => ({
    key,
    type: 'string',
    value: String(attributeValue(value)),
  }));

const micros = (nanos) => Math.floor(Number(BigInt(nanos) / 1000n));

function toJaegerSpan(span, serviceName) {
  return {
    traceID: span.traceId,
    spanID: span.spanId,
    operationName: span.name,
    references: span.parentSpanId
      ? [{ refType: 'CHILD_OF', traceID: span.traceId, spanID: span.parentSpanId }]
      : [],
    startTime: micros(span.startTimeUnixNano),
    duration: micros(span.endTimeUnixNano) - micros(span.startTimeUnixNano),
    tags: tagsOf(span.attributes),
    logs: [],
    serviceName,
    warnings: null,
  };
}

function store(otlp) {
  for (const resourceSpans of otlp.resourceSpans ?? []) {
    const serviceAttribute = (resourceSpans.resource?.attributes ?? []).find(
      (a) => a.key === 'service.name',
    );
    const serviceName = serviceAttribute
      ? String(attributeValue(serviceAttribute.value))
      : 'unknown';
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const spans = traces.get(span.traceId) ?? [];
        spans.push(toJaegerSpan(span, serviceName));
        traces.delete(span.traceId); // re-insert: Map order is recency
        traces.set(span.traceId, spans);
      }
    }
  }
  while (traces.size > MAX_TRACES) traces.delete(traces.keys().next().value);
}

/** A trace as Jaeger's query API returns it: spans point at processes by id. */
function toJaegerTrace(traceID, spans) {
  const services = [...new Set(spans.map((s) => s.serviceName))];
  const processes = Object.fromEntries(
    services.map((serviceName, i) => [`p${i + 1}`, { serviceName, tags: [] }]),
  );
  return {
    traceID,
    spans: spans.map(({ serviceName, ...span }) => ({
      ...span,
      processID: `p${services.indexOf(serviceName) + 1}`,
    })),
    processes,
    warnings: null,
  };
}

const page = (data) => ({ data, total: data.length, limit: 0, offset: 0, errors: null });

function query(url, response) {
  if (url.pathname === '/api/services') {
    const services = new Set();
    for (const spans of traces.values()) for (const s of spans) services.add(s.serviceName);
    return reply(response, 200, page([...services].sort()));
  }
  const byId = url.pathname.match(/^\/api\/traces\/([0-9a-f]{1,32})$/);
  if (byId) {
    const id = byId[1].padStart(32, '0');
    const spans = traces.get(id);
    if (!spans)
      return reply(response, 404, {
        ...page([]),
        data: null,
        errors: [{ code: 404, msg: 'trace not found' }],
      });
    return reply(response, 200, page([toJaegerTrace(id, spans)]));
  }
  if (url.pathname === '/api/traces') {
    const service = url.searchParams.get('service');
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const found = [...traces.entries()]
      .reverse()
      .filter(([, spans]) => !service || spans.some((s) => s.serviceName === service))
      .slice(0, limit)
      .map(([id, spans]) => toJaegerTrace(id, spans));
    return reply(response, 200, page(found));
  }
  return reply(response, 404, { ...page([]), errors: [{ code: 404, msg: 'not found' }] });
}

createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/v1/traces') return reply(response, 404, {});
  readJson(request)
    .then((otlp) => {
      store(otlp);
      reply(response, 200, {});
    })
    .catch((error) => reply(response, 400, { message: error.message }));
}).listen(4318, '0.0.0.0');

createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method !== 'GET') return reply(response, 405, {});
  if (url.pathname === '/')
    return reply(response, 200, { status: 'stand-in Jaeger query API, no UI' });
  return query(url, response);
}).listen(16686, '0.0.0.0', () => {
  console.log('stand-in jaeger: OTLP/HTTP JSON on :4318, query API on :16686');
});

// PID 1 in its container: without a handler, SIGTERM would be ignored until docker kills it.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
