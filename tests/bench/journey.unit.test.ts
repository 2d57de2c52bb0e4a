import {
  ApproveRequest,
  CreateExpenseRequest,
  LoginRequest,
  PageQuery,
  RejectRequest,
} from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import {
  type ApiReply,
  checkReply,
  Journey,
  loginRequest,
  REJECT_ONE_IN,
  sessionFrom,
  sessionTooShort,
} from '../../deploy/k6/journey.js';

const pace = { pauseS: 0.2, decisionDelayS: 1 };
const EXPENSE_ID = '01a250a0-ef1e-7775-8afe-3d6c16c82ccd';
/** A random source that always draws `value`. */
const always = (value: number) => () => value;

const reply = (status: number, body: unknown): ApiReply => ({
  status,
  text: JSON.stringify(body),
});

/** Walks a journey, answering each request with `answer`; returns what was sent and judged. */
function walk(journey: Journey, answer: (path: string) => ApiReply) {
  const sent: { method: string; path: string; body?: string; as?: string; pauseS: number }[] = [];
  const outcomes = [];
  for (let planned = journey.next(); planned !== undefined; planned = journey.next()) {
    const { method, path, body, as } = planned.request;
    sent.push({ method, path, body, as, pauseS: planned.pauseS });
    outcomes.push(journey.record(answer(path)));
  }
  return { sent, outcomes };
}

const happy = (decision: 'approved' | 'rejected') => (path: string) => {
  if (path === '/api/expenses') return reply(201, { expense_id: EXPENSE_ID, status: 'pending' });
  if (path.endsWith('/status')) return reply(200, { id: EXPENSE_ID, status: 'pending' });
  if (path.startsWith('/api/approvals/pending'))
    return reply(200, { items: [], next_cursor: null });
  return reply(200, { expense_id: EXPENSE_ID, expense_status: decision });
};

describe('the user journey', () => {
  it('submits, reads the status, opens the queue after the decision delay, then approves', () => {
    const { sent, outcomes } = walk(new Journey(pace, always(0.5)), happy('approved'));
    expect(sent.map((s) => `${s.as} ${s.method} ${s.path.split('?')[0]}`)).toEqual([
      'employee POST /api/expenses',
      `employee GET /api/expenses/${EXPENSE_ID}/status`,
      'manager GET /api/approvals/pending',
      'manager POST /api/expenses/approve',
    ]);
    expect(sent.map((s) => s.pauseS)).toEqual([0.2, 0.2, 1, 0.2]);
    expect(outcomes.every((outcome) => outcome.passed)).toBe(true);
  });

  it(`rejects with a reason when the draw falls in the first 1/${REJECT_ONE_IN}`, () => {
    const journey = new Journey(pace, always(0.05));
    expect(journey.plan().at(-1)).toBe('reject');
    const { sent, outcomes } = walk(journey, happy('rejected'));
    expect(sent.at(-1)?.path).toBe('/api/expenses/reject');
    expect(outcomes.map((outcome) => outcome.check)).toContain('reject: 200, rejected');
    expect(outcomes.every((outcome) => outcome.passed)).toBe(true);
  });

  it('sends bodies and a query the API contracts accept', () => {
    for (const draw of [0.05, 0.5]) {
      const { sent } = walk(new Journey(pace, always(draw)), happy('approved'));
      const [submit, , queue, decision] = sent;
      expect(CreateExpenseRequest.safeParse(JSON.parse(submit?.body ?? '')).success).toBe(true);
      const query = Object.fromEntries(new URL(queue?.path ?? '', 'http://x').searchParams);
      expect(PageQuery.safeParse(query).success).toBe(true);
      const decisionSchema = decision?.path.endsWith('reject') ? RejectRequest : ApproveRequest;
      expect(decisionSchema.safeParse(JSON.parse(decision?.body ?? '')).success).toBe(true);
    }
    const login = loginRequest('employee');
    expect(LoginRequest.safeParse(JSON.parse(login.body ?? '')).success).toBe(true);
  });

  it('ends after a failed submit, with that check failed', () => {
    const { sent, outcomes } = walk(new Journey(pace, always(0.5)), () =>
      reply(503, { title: 'Service Unavailable' }),
    );
    expect(sent).toHaveLength(1);
    expect(outcomes).toEqual([
      { check: 'submit: 201 with expense_id', passed: false, routingLag: false },
    ]);
  });

  it('counts a decision refused for want of a chain as routing lag, and fails its check', () => {
    const lagging = (path: string) =>
      path === '/api/expenses/approve'
        ? reply(404, { detail: `no approval chain for expense ${EXPENSE_ID}` })
        : happy('approved')(path);
    const { outcomes } = walk(new Journey(pace, always(0.5)), lagging);
    expect(outcomes.at(-1)).toEqual({
      check: 'approve: 200, approved',
      passed: false,
      routingLag: true,
    });
    expect(checkReply('status', reply(404, {})).routingLag).toBe(false);
  });

  it('fails a check whose status is right but whose body is not', () => {
    expect(checkReply('approve', reply(200, { expense_status: 'pending' })).passed).toBe(false);
    expect(checkReply('status', reply(200, { status: 'approved' })).passed).toBe(false);
    expect(checkReply('queue', { status: 200, text: 'not json' }).passed).toBe(false);
  });
});

describe('sessions', () => {
  it('takes the token and its lifetime from a login answer, and nothing from a refusal', () => {
    const session = sessionFrom(reply(200, { access_token: 'abc', expires_in: 900 }));
    expect(session).toEqual({ token: 'abc', expiresInS: 900 });
    expect(sessionFrom(reply(429, { access_token: 'abc' }))).toBeUndefined();
    expect(sessionFrom(reply(200, { expires_in: 900 }))).toBeUndefined();
  });

  it('refuses a session whose token expires before the run ends (with a minute to spare)', () => {
    const session = { token: 'abc', expiresInS: 900 };
    expect(sessionTooShort('manager', session, 840)).toBeUndefined();
    expect(sessionTooShort('manager', session, 841)).toMatch(/ACCESS_TOKEN_TTL_SECONDS/);
  });
});
