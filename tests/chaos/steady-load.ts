/**
 * Steady load for the fault cases: the bench's closed-loop mix (scripts/bench/load.ts:
 * 50% create, 30% approve, 20% status) over the bench's Api, with every 2xx create and
 * approval written into the ledger. Runs until stopped, so faults can come and go under it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Api,
  type ApiResponse,
  parseJson,
  stringField,
  type Tokens,
} from '../../scripts/bench/api.js';
import { MixState } from '../../scripts/bench/load.js';
import type { Ledger } from '../support/ledger.js';

/** A failed answer (a service down) is not retried in a tight loop. */
const pauseAfterFailureMs = 100;
/** Approve an expense no sooner than this after its 201, so its chain is usually stored. */
const approveAfterMs = 300;

/** The bench's Api, telling the ledger what each accepted request did. */
class RecordingApi extends Api {
  failures = 0;
  /** Date.now() of the last 201 create: the load succeeds again after a fault. */
  lastCreatedAt = 0;

  constructor(
    origin: string,
    connections: number,
    private readonly ledger: Ledger,
  ) {
    super(origin, '', connections);
  }

  override async create(token: string): Promise<ApiResponse> {
    const response = this.counted(await super.create(token));
    const id = stringField(parseJson(response.text), 'expense_id');
    if (response.status === 201 && id !== undefined) {
      this.ledger.recordCreate(id);
      this.lastCreatedAt = Date.now();
    }
    return response;
  }

  override async approve(token: string, expenseId: string): Promise<ApiResponse> {
    const response = this.counted(await super.approve(token, expenseId));
    if (response.status >= 200 && response.status < 300) {
      this.ledger.recordApproval(
        expenseId,
        stringField(parseJson(response.text), 'expense_status'),
      );
    }
    return response;
  }

  private counted(response: ApiResponse): ApiResponse {
    if (response.status < 200 || response.status > 299) this.failures += 1;
    return response;
  }
}

export interface SteadyLoadOptions {
  /** Closed-loop workers, each with its own connection. */
  connections: number;
  /**
   * Each worker's pause between requests: a closed loop without one saturates this
   * machine's two cores, and the consumers then fall ever further behind (BENCHMARKS.md).
   */
  pauseMs: number;
}

export class SteadyLoad {
  private running = true;
  private readonly workers: Promise<void>[];

  private constructor(
    private readonly api: RecordingApi,
    readonly mix: MixState,
    private readonly options: SteadyLoadOptions,
  ) {
    this.workers = Array.from({ length: options.connections }, () => this.work());
  }

  /** Logs the bench's users in and starts the closed-loop workers. */
  static async start(
    origin: string,
    ledger: Ledger,
    options: SteadyLoadOptions,
  ): Promise<SteadyLoad> {
    const api = new RecordingApi(origin, options.connections, ledger);
    const tokens: Tokens = await api.loginAll();
    return new SteadyLoad(api, new MixState(api, tokens, [], { approveAfterMs }), options);
  }

  /** Requests sent so far, answered or not. */
  get requests(): number {
    return this.mix.requestCount();
  }

  get failures(): number {
    return this.api.failures;
  }

  get lastCreatedAt(): number {
    return this.api.lastCreatedAt;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
    await this.api.close();
  }

  private async work(): Promise<void> {
    while (this.running) {
      const failuresBefore = this.api.failures;
      await this.mix.iterate();
      const failed = this.api.failures > failuresBefore;
      await sleep(failed ? pauseAfterFailureMs : this.options.pauseMs);
    }
  }
}
