import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { checkWebhookUrl, type TestTargets } from '../domain/webhook-url.js';
import { guardedLookup, type Resolver } from './resolve-public.js';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type WebhookResponse =
  | { ok: true; status: number }
  | { ok: false; status: number | null; error: string };

export type PostWebhook = (request: WebhookRequest) => Promise<WebhookResponse>;

export interface PosterOptions {
  testTargets: TestTargets;
  resolve: Resolver;
  timeoutMs: number;
}

/** How much of a refusing answer's body is kept as the delivery's last error. */
const ERROR_SNIPPET = 200;
/** An answer's body is read this far at most; a receiver cannot keep us reading forever. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * POSTs one delivery. The URL is judged again (rules can change, and an address literal
 * never reaches `lookup`), every resolved address is checked at connection time,
 * redirects are never followed (a 3xx is a failure), and one timeout covers the whole
 * exchange. Only a 2xx counts as delivered.
 */
export function createWebhookPoster(options: PosterOptions): PostWebhook {
  const lookup = guardedLookup(options.resolve);
  return async (request) => {
    const verdict = checkWebhookUrl(request.url, options.testTargets);
    if (!verdict.ok) return { ok: false, status: null, error: `refused: ${verdict.reason}` };
    const transport = verdict.url.protocol === 'https:' ? https : http;
    return new Promise<WebhookResponse>((resolve) => {
      let settled = false;
      /** The status, once the answer's head has come: a timeout after it keeps it. */
      let answered: number | null = null;
      const settle = (outcome: WebhookResponse) => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      const outgoing = transport.request(
        verdict.url,
        {
          method: 'POST',
          // A fresh connection each time: a pooled socket would skip the lookup check.
          agent: false,
          ...(verdict.testTarget ? {} : { lookup }),
          signal: AbortSignal.timeout(options.timeoutMs),
          headers: {
            ...request.headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(request.body)),
            'user-agent': 'Countersign-Webhooks/1.0',
          },
        },
        (response) => {
          answered = response.statusCode ?? 0;
          judgeResponse(response, settle);
        },
      );
      outgoing.on('error', (error) => {
        const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError';
        const late = answered === null ? 'no answer' : 'the answer did not end';
        settle({
          ok: false,
          status: answered,
          error: timedOut ? `${late} within ${options.timeoutMs} ms` : error.message,
        });
      });
      outgoing.end(request.body);
    });
  };
}

/** Reads (a bounded part of) the answer and judges it by its status: only a 2xx is success. */
function judgeResponse(response: IncomingMessage, settle: (outcome: WebhookResponse) => void) {
  const status = response.statusCode ?? 0;
  const chunks: Buffer[] = [];
  let read = 0;
  const finish = () => {
    if (status >= 200 && status < 300) {
      settle({ ok: true, status });
      return;
    }
    const snippet = Buffer.concat(chunks).toString('utf8').slice(0, ERROR_SNIPPET);
    const error =
      status >= 300 && status < 400
        ? `redirect (${status}) to ${response.headers.location ?? '(no location)'} not followed`
        : `HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
    settle({ ok: false, status, error });
  };
  response.on('data', (chunk: Buffer) => {
    if (read < ERROR_SNIPPET) chunks.push(chunk);
    read += chunk.length;
    if (read > MAX_BODY_BYTES) {
      finish();
      response.destroy();
    }
  });
  response.on('end', finish);
  response.on('error', (error) => settle({ ok: false, status, error: error.message }));
  // Closed before its end (the timeout, a reset): whatever was not settled failed.
  response.on('close', () => settle({ ok: false, status, error: 'the answer was cut off' }));
}
