import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { Agent, request } from 'undici';
import { UpstreamError } from '../errors.js';

export interface ServiceCallOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The callee's name, for the 503 a client may see (`expense`); never its address. */
  service?: string;
  path: string;
  token: string;
  requestId?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, with its content type (the gateway forwarding what a client sent). */
  rawBody?: { text: string; contentType: string };
  timeoutMs?: number;
}

export interface ServiceResponse {
  status: number;
  contentType: string;
  body: string;
  /** The callee's Retry-After (on a 429 or 503), to pass on to the client. */
  retryAfter?: string;
}

/**
 * Kept-alive connections to the other services, shared by every call from this process:
 * one request per connection at a time (no pipelining: a slow answer must not hold up
 * the ones behind it), up to 128 connections per service, each kept 4 s after its last
 * use (under the services' 5 s server keep-alive, so it is closed here first).
 */
const servicePool = new Agent({ connections: 128, pipelining: 1, keepAliveTimeout: 4_000 });

/**
 * Calls another service's HTTP API with the caller's token, so the callee authorises the
 * same person. undici's request API over a kept-alive pool: fetch's web streams cost
 * noticeably more per call. Trace context is added by the undici instrumentation.
 * Network failures and timeouts become UpstreamError (503); the callee's own answers are
 * returned as they are.
 */
export async function callService(
  baseUrl: string,
  options: ServiceCallOptions,
): Promise<ServiceResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (options.requestId) headers['x-request-id'] = options.requestId;
  const body =
    options.rawBody?.text ??
    (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined)
    headers['content-type'] = options.rawBody?.contentType ?? 'application/json';
  const timeout = options.timeoutMs ?? 5000;
  try {
    const response = await request(new URL(options.path, baseUrl), {
      method: options.method,
      headers,
      ...(body !== undefined ? { body } : {}),
      dispatcher: servicePool,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const contentType = response.headers['content-type'];
    const retryAfter = response.headers['retry-after'];
    return {
      status: response.statusCode,
      contentType:
        (Array.isArray(contentType) ? contentType[0] : contentType) ?? 'application/json',
      body: await response.body.text(),
      ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
    };
  } catch (error) {
    throw notAnswered(options.service, baseUrl, error);
  }
}

/**
 * The client learns which service did not answer, by name: its host, port and the socket
 * error stay in the log (the error's cause, logged by the service shell).
 */
function notAnswered(service: string | undefined, baseUrl: string, error: unknown): UpstreamError {
  const refusal = new UpstreamError(
    `the ${service ?? 'upstream'} service did not answer; try again shortly`,
  );
  refusal.cause = new Error(`${baseUrl}: ${(error as Error).message}`, { cause: error });
  return refusal;
}

export interface StreamCallOptions {
  method: 'GET' | 'POST';
  /** The callee's name, for the 503 a client may see (`expense`); never its address. */
  service?: string;
  path: string;
  token: string;
  requestId?: string;
  /** Streamed as it arrives, never buffered here (file uploads). */
  body?: ReadableStream<Uint8Array> | null;
  contentType?: string;
  contentLength?: string;
  timeoutMs?: number;
}

export interface StreamedResponse {
  status: number;
  headers: Record<string, string>;
  body: ReadableStream<Uint8Array>;
}

/**
 * Like callService, for bodies that are files: the request body is piped through and the
 * answer comes back as a stream with its headers, so neither side is held in memory by
 * the caller.
 */
export async function callServiceStreaming(
  baseUrl: string,
  options: StreamCallOptions,
): Promise<StreamedResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (options.requestId) headers['x-request-id'] = options.requestId;
  if (options.contentType) headers['content-type'] = options.contentType;
  if (options.contentLength) headers['content-length'] = options.contentLength;
  const timeout = options.timeoutMs ?? 30_000;
  try {
    const response = await request(new URL(options.path, baseUrl), {
      method: options.method,
      headers,
      ...(options.body ? { body: Readable.fromWeb(options.body as NodeReadableStream) } : {}),
      dispatcher: servicePool,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return {
      status: response.statusCode,
      headers: flat,
      body: Readable.toWeb(response.body) as ReadableStream<Uint8Array>,
    };
  } catch (error) {
    throw notAnswered(options.service, baseUrl, error);
  }
}
