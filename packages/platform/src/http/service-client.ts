import { UpstreamError } from '../errors.js';

export interface ServiceCallOptions {
  method: 'GET' | 'POST';
  path: string;
  token: string;
  requestId?: string;
  body?: unknown;
  timeoutMs?: number;
}

export interface ServiceResponse {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Calls another service's HTTP API with the caller's token, so the callee authorises the
 * same person. Trace context is added by the fetch instrumentation. Network failures and
 * timeouts become UpstreamError (503); the callee's own answers are returned as they are.
 */
export async function callService(
  baseUrl: string,
  options: ServiceCallOptions,
): Promise<ServiceResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (options.requestId) headers['x-request-id'] = options.requestId;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(new URL(options.path, baseUrl), {
      method: options.method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? 'application/json',
      body: await response.text(),
    };
  } catch (error) {
    throw new UpstreamError(`${new URL(baseUrl).host} did not answer: ${(error as Error).message}`);
  }
}
