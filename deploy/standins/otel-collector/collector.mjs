// Stand-in OTLP collector (see Dockerfile): POST /v1/traces with an OTLP/HTTP JSON body is
// forwarded as-is to FORWARD_TRACES_URL. A failed forward answers 503, so the sender's
// exporter retries, as it would against a collector whose exporter queue is full.
// Arguments (e.g. --config=...) are accepted and ignored.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 4318);
const forwardUrl = process.env.FORWARD_TRACES_URL ?? 'http://jaeger:4318/v1/traces';

async function readBody(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function reply(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function forward(request, response) {
  if (!String(request.headers['content-type']).startsWith('application/json')) {
    reply(response, 415, { message: 'this stand-in accepts OTLP/HTTP JSON only' });
    return;
  }
  const body = await readBody(request);
  try {
    const upstream = await fetch(forwardUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(5000),
    });
    reply(response, upstream.ok ? 200 : 503, upstream.ok ? {} : { message: 'upstream refused' });
  } catch (error) {
    console.error(`forward to ${forwardUrl} failed: ${error.message}`);
    reply(response, 503, { message: 'upstream unreachable' });
  }
}

createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/v1/traces') {
    forward(request, response).catch((error) => reply(response, 500, { message: error.message }));
  } else if (request.method === 'GET' && request.url === '/') {
    reply(response, 200, { status: 'stand-in OTLP/HTTP collector', forwardUrl });
  } else {
    reply(response, 404, { message: 'not found' });
  }
}).listen(port, '0.0.0.0', () => {
  console.log(`stand-in collector: OTLP/HTTP JSON on :${port} -> ${forwardUrl}`);
});

// PID 1 in its container: without a handler, SIGTERM would be ignored until docker kills it.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
