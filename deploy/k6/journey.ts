/**
 * One user journey, declared once for both load drivers (the k6 script and
 * `npm run bench:scenario`): the employee submits an expense and reads its status; a moment
 * later her manager opens his queue of pending approvals and approves it, or, one time in
 * ten, rejects it with a reason. Every answer has one check.
 *
 * The users are seed 001's demo pair: Grace (employee) files Small Equipment expenses, which
 * route to Frank (her manager). They sign in once per run (in the driver's setup), as the
 * gateway allows an account only 10 sign-ins a minute (a guard against password guessing):
 * signing in per virtual user would measure that guard, not the service.
 *
 * Plain data and pure functions only (no k6 or Node module), so that both drivers build the
 * same requests and judge the answers the same way. A driver loops:
 *
 *   const journey = new Journey(scenario, Math.random);
 *   for (let step = journey.next(); step; step = journey.next()) {
 *     pause(step.pauseS); send(step.request) → reply; journey.record(reply) → check outcome
 *   }
 */
import type { Scenario } from './scenarios.js';

export const DEMO_PASSWORD = 'countersign-demo';
export const PERSONA_EMAILS = {
  employee: 'grace@techcorp.example',
  manager: 'frank@techcorp.example',
} as const;
export type Persona = keyof typeof PERSONA_EMAILS;
export const PERSONAS = Object.keys(PERSONA_EMAILS) as Persona[];

/** Seed 001's Small Equipment policy: one step, the submitter's manager. */
export const SMALL_EQUIPMENT_POLICY_ID = '0197a000-0000-7000-8000-000000000201';
/** One journey in this many ends in a rejection instead of an approval. */
export const REJECT_ONE_IN = 10;
/** How many items of his queue the manager looks at. */
const QUEUE_PAGE = 20;

export const STEPS = ['login', 'submit', 'status', 'queue', 'approve', 'reject'] as const;
export type StepName = (typeof STEPS)[number];

export interface ApiRequest {
  step: StepName;
  method: 'GET' | 'POST';
  /** Under the API's base URL, e.g. /api/expenses. */
  path: string;
  /** The path with ids replaced by placeholders: one time series per endpoint, not per id. */
  name: string;
  body?: string;
  /** Whose session sends it; none for signing in. */
  as?: Persona;
}

/** What a driver got back: the status (0 when no answer came) and the body's text. */
export interface ApiReply {
  status: number;
  text: string;
}

export interface CheckOutcome {
  /** The check's name, e.g. "submit: 201 with expense_id". */
  check: string;
  passed: boolean;
  /** An approve or reject refused because the approval service had not stored the chain yet. */
  routingLag: boolean;
}

export const CHECK_NAMES: Record<StepName, string> = {
  login: 'login: 200 with access_token',
  submit: 'submit: 201 with expense_id',
  status: 'status: 200, pending',
  queue: 'queue: 200 with items',
  approve: 'approve: 200, approved',
  reject: 'reject: 200, rejected',
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function field(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null
    ? (body as Record<string, unknown>)[key]
    : undefined;
}

export function loginRequest(persona: Persona): ApiRequest {
  return {
    step: 'login',
    method: 'POST',
    path: '/api/auth/login',
    name: 'POST /api/auth/login',
    body: JSON.stringify({ email: PERSONA_EMAILS[persona], password: DEMO_PASSWORD }),
  };
}

export interface Session {
  token: string;
  expiresInS: number;
}

/** The session a login answered with, or undefined if it did not. */
export function sessionFrom(reply: ApiReply): Session | undefined {
  if (reply.status !== 200) return undefined;
  const body = parseJson(reply.text);
  const token = field(body, 'access_token');
  const expiresIn = field(body, 'expires_in');
  if (typeof token !== 'string') return undefined;
  return {
    token,
    expiresInS: typeof expiresIn === 'number' ? expiresIn : Number.POSITIVE_INFINITY,
  };
}

/**
 * Why a session from setup cannot serve the whole run (its token would expire mid-run and
 * turn the tail into 401s), or undefined when it can.
 */
export function sessionTooShort(
  persona: Persona,
  session: Session,
  runS: number,
): string | undefined {
  if (session.expiresInS >= runS + 60) return undefined;
  return `the ${persona}'s token lasts ${session.expiresInS} s, the run ${runS} s: raise the gateway's ACCESS_TOKEN_TTL_SECONDS or shorten the run (DURATION_SCALE)`;
}

/** Whole cents from 10.00 to 1,999.00, so the JSON number carries no float noise. */
function expenseBody(random: () => number): string {
  const cents = 1_000 + Math.floor(random() * (199_900 - 1_000 + 1));
  return JSON.stringify({
    policy_id: SMALL_EQUIPMENT_POLICY_ID,
    amount: cents / 100,
    description: 'load test: small equipment',
  });
}

/**
 * 404 "no approval chain for expense …": the approval service has not stored the chain yet.
 * A 409 that says the expense is not routed yet would mean the same.
 */
export function isRoutingLagRefusal(reply: ApiReply): boolean {
  if (reply.status === 404) return true;
  return reply.status === 409 && /not[ -]?(yet )?routed|no approval chain/i.test(reply.text);
}

function passes(step: StepName, reply: ApiReply): boolean {
  const body = parseJson(reply.text);
  switch (step) {
    case 'login':
      return sessionFrom(reply) !== undefined;
    case 'submit':
      return reply.status === 201 && typeof field(body, 'expense_id') === 'string';
    case 'status':
      return reply.status === 200 && field(body, 'status') === 'pending';
    case 'queue':
      return reply.status === 200 && Array.isArray(field(body, 'items'));
    case 'approve':
      return reply.status === 200 && field(body, 'expense_status') === 'approved';
    case 'reject':
      return reply.status === 200 && field(body, 'expense_status') === 'rejected';
  }
}

/** Judges one answer: the check a driver records for it. */
export function checkReply(step: StepName, reply: ApiReply): CheckOutcome {
  const decision = step === 'approve' || step === 'reject';
  return {
    check: CHECK_NAMES[step],
    passed: passes(step, reply),
    routingLag: decision && isRoutingLagRefusal(reply),
  };
}

export interface PlannedRequest {
  /** Pause this long before sending (a person's pace; before the queue, the decision delay). */
  pauseS: number;
  request: ApiRequest;
}

type JourneyStep = Exclude<StepName, 'login'>;

/** One journey of one virtual user: hands out its requests in order and judges each answer. */
export class Journey {
  private readonly steps: JourneyStep[];
  private readonly random: () => number;
  private readonly scenario: Pick<Scenario, 'pauseS' | 'decisionDelayS'>;
  private index = 0;
  private expenseId: string | undefined;
  /** A failed submit leaves nothing to read or decide: the journey ends there. */
  private stopped = false;

  constructor(scenario: Pick<Scenario, 'pauseS' | 'decisionDelayS'>, random: () => number) {
    this.scenario = scenario;
    this.random = random;
    const decision: JourneyStep = random() < 1 / REJECT_ONE_IN ? 'reject' : 'approve';
    this.steps = ['submit', 'status', 'queue', decision];
  }

  /** The steps this journey takes, in order. */
  plan(): readonly JourneyStep[] {
    return this.steps;
  }

  /** The next request to send, or undefined when the journey is over. */
  next(): PlannedRequest | undefined {
    const step = this.steps[this.index];
    if (step === undefined || this.stopped) return undefined;
    const pauseS = step === 'queue' ? this.scenario.decisionDelayS : this.scenario.pauseS;
    return { pauseS, request: this.requestFor(step) };
  }

  /** Records the answer to the request next() returned and moves on. */
  record(reply: ApiReply): CheckOutcome {
    const step = this.steps[this.index];
    if (step === undefined) throw new Error('the journey is over: nothing to record');
    this.index += 1;
    const outcome = checkReply(step, reply);
    if (step === 'submit') {
      const id = field(parseJson(reply.text), 'expense_id');
      this.expenseId = typeof id === 'string' ? id : undefined;
      this.stopped = !outcome.passed || this.expenseId === undefined;
    }
    return outcome;
  }

  private requestFor(step: JourneyStep): ApiRequest {
    const id = this.expenseId ?? '';
    switch (step) {
      case 'submit':
        return {
          step,
          method: 'POST',
          path: '/api/expenses',
          name: 'POST /api/expenses',
          body: expenseBody(this.random),
          as: 'employee',
        };
      case 'status':
        return {
          step,
          method: 'GET',
          path: `/api/expenses/${id}/status`,
          name: 'GET /api/expenses/{id}/status',
          as: 'employee',
        };
      case 'queue':
        return {
          step,
          method: 'GET',
          path: `/api/approvals/pending?limit=${QUEUE_PAGE}`,
          name: 'GET /api/approvals/pending',
          as: 'manager',
        };
      case 'approve':
        return {
          step,
          method: 'POST',
          path: '/api/expenses/approve',
          name: 'POST /api/expenses/approve',
          body: JSON.stringify({ expense_id: id, comments: 'load test: approved' }),
          as: 'manager',
        };
      case 'reject':
        return {
          step,
          method: 'POST',
          path: '/api/expenses/reject',
          name: 'POST /api/expenses/reject',
          body: JSON.stringify({ expense_id: id, reason: 'load test: not a business expense' }),
          as: 'manager',
        };
    }
  }
}
