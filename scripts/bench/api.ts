/**
 * The few Countersign calls the bench makes, over an undici keep-alive pool (one pool per
 * driver, so a load phase's connections are its own).
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import {
  DEMO_PASSWORD,
  isRoutingLagRefusal,
  PERSONA_EMAILS,
  SMALL_EQUIPMENT_POLICY_ID,
} from '../../deploy/k6/journey.js';
import { BenchAbort } from './config.js';

// The load scenarios' users and policy (deploy/k6/journey.ts) are the bench's too.
export { isRoutingLagRefusal, SMALL_EQUIPMENT_POLICY_ID };
export const SUBMITTER_EMAIL = PERSONA_EMAILS.employee;
export const APPROVER_EMAIL = PERSONA_EMAILS.manager;
const REQUEST_TIMEOUT_MS = 10_000;

export interface ApiResponse {
  status: number;
  text: string;
  /** From the request being handed to the pool to the last byte of the body. */
  ms: number;
}

export interface Tokens {
  submitter: string;
  approver: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function stringField(value: unknown, key: string): string | undefined {
  const field = isRecord(value) ? value[key] : undefined;
  return typeof field === 'string' ? field : undefined;
}

export function describe(response: ApiResponse): string {
  return `HTTP ${response.status} ${response.text.slice(0, 300)}`;
}

/** Amounts in whole cents so the JSON number never carries float noise (API takes ≤ 2 decimals). */
function expenseBody(): string {
  const cents = 1_000 + Math.floor(Math.random() * (199_900 - 1_000 + 1));
  return JSON.stringify({
    policy_id: SMALL_EQUIPMENT_POLICY_ID,
    amount: cents / 100,
    description: 'bench: small equipment',
  });
}

let sentTotal = 0;

/** Requests sent by every Api of this process so far, probes included: CPU per request divides by it. */
export function requestsSent(): number {
  return sentTotal;
}

export class Api {
  private readonly pool: Pool;

  constructor(
    origin: string,
    private readonly prefix: string,
    connections: number,
  ) {
    this.pool = new Pool(origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
  }

  /** Never throws for a transport failure: status 0 stands for "no response". */
  async call(
    method: 'GET' | 'POST',
    apiPath: string,
    token?: string,
    body?: string,
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    sentTotal += 1;
    const started = performance.now();
    try {
      const response = await this.pool.request({
        method,
        path: `${this.prefix}${apiPath}`,
        headers,
        body,
      });
      const text = await response.body.text();
      return { status: response.statusCode, text, ms: performance.now() - started };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { status: 0, text: reason, ms: performance.now() - started };
    }
  }

  create(token: string): Promise<ApiResponse> {
    return this.call('POST', '/api/expenses', token, expenseBody());
  }

  approve(token: string, expenseId: string): Promise<ApiResponse> {
    const body = JSON.stringify({ expense_id: expenseId, comments: 'bench approve' });
    return this.call('POST', '/api/expenses/approve', token, body);
  }

  status(token: string, expenseId: string): Promise<ApiResponse> {
    return this.call('GET', `/api/expenses/${expenseId}/status`, token);
  }

  async healthy(): Promise<boolean> {
    return (await this.call('GET', '/healthz')).status === 200;
  }

  async createOrThrow(token: string): Promise<string> {
    const response = await this.create(token);
    const id = stringField(parseJson(response.text), 'expense_id');
    if (response.status !== 201 || id === undefined) {
      throw new Error(`create expense failed: ${describe(response)}`);
    }
    return id;
  }

  async login(email: string): Promise<string> {
    const body = JSON.stringify({ email, password: DEMO_PASSWORD });
    const response = await this.call('POST', '/api/auth/login', undefined, body);
    const token = stringField(parseJson(response.text), 'access_token');
    if (response.status !== 200 || token === undefined) {
      throw new BenchAbort(`login as ${email} failed: ${describe(response)}`);
    }
    return token;
  }

  async loginAll(): Promise<Tokens> {
    return {
      submitter: await this.login(SUBMITTER_EMAIL),
      approver: await this.login(APPROVER_EMAIL),
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
