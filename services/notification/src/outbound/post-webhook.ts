import http from 'node:http';
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
          const status = response.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let kept = 0;
          response.on('data', (chunk: Buffer) => {
            if (kept < ERROR_SNIPPET) chunks.push(chunk);
            kept += chunk.length;
          });
          response.on('error', (error) => resolve({ ok: false, status, error: error.message }));
          response.on('end', () => {
            if (status >= 200 && status < 300) {
              resolve({ ok: true, status });
              return;
            }
            const snippet = Buffer.concat(chunks).toString('utf8').slice(0, ERROR_SNIPPET);
            const error =
              status >= 300 && status < 400
                ? `redirect (${status}) to ${response.headers.location ?? '(no location)'} not followed`
                : `HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
            resolve({ ok: false, status, error });
          });
        },
      );
      outgoing.on('error', (error) => {
        const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError';
        resolve({
          ok: false,
          status: null,
          error: timedOut ? `no answer within ${options.timeoutMs} ms` : error.message,
        });
      });
      outgoing.end(request.body);
    });
  };
}
