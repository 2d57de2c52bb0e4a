import type { Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../logger.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { MailOutboxTables } from './mail.js';
import { deferFailed, deleteSent, leaseMail, type MailDb, mailBacklog } from './mail-queries.js';

export interface MailRelayOptions<DB extends MailOutboxTables> {
  /** The service's database; its schema holds the `mail_outbox` table. */
  db: Kysely<DB>;
  logger: Logger;
  smtpUrl: string;
  from: string;
  pollIntervalMs?: number;
  /** Reports the queue as the `mail_outbox` backlog. */
  metrics?: ServiceMetrics | undefined;
}

const BATCH = 10;
const LEASE_MS = 60_000;
/** Each send gives up well within the lease, so no other replica re-leases a message in flight. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };
type LeasedMail = Awaited<ReturnType<typeof leaseMail>>[number];

/** Doubles from one second, at most five minutes. */
export const retryDelayMs = (attempts: number) => Math.min(1000 * 2 ** attempts, 300_000);

/**
 * Hands queued mail to SMTP. Rows are leased with SKIP LOCKED, so replicas share the
 * queue; a message is deleted once the SMTP server has accepted it, and retried with a
 * growing delay (at most five minutes) while it does not. A crash after the SMTP server
 * accepted but before the delete sends that message again: mail is at least once.
 */
export class MailRelay<DB extends MailOutboxTables> {
  private readonly transport: Transporter;
  private readonly db: MailDb;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pending = false;

  constructor(private readonly options: MailRelayOptions<DB>) {
    this.db = options.db as unknown as MailDb;
    this.transport = nodemailer.createTransport({ url: options.smtpUrl, ...SMTP_TIMEOUTS });
    options.metrics?.watchBacklog('mail_outbox', () => mailBacklog(this.db));
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Called after a transaction that queued mail commits, so it goes out at once. */
  wake = (): void => {
    this.pending = true;
    this.wakeUp?.();
  };

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    this.transport.close();
  }

  /**
   * One pass: lease a batch, send its messages side by side (so the whole batch, not each
   * message, has to fit in the lease), settle each row. Returns how many were sent.
   */
  async sendOnce(): Promise<number> {
    const batch = await leaseMail(this.db, BATCH, LEASE_MS);
    const outcomes = await Promise.all(batch.map((mail) => this.send(mail)));
    const sent = batch.filter((_, index) => outcomes[index]).map((mail) => mail.id);
    await deleteSent(this.db, sent);
    return sent.length;
  }

  private async send(mail: LeasedMail): Promise<boolean> {
    try {
      await this.transport.sendMail({
        from: this.options.from,
        to: mail.to_address,
        subject: mail.subject,
        text: mail.text_body,
        html: mail.html_body,
      });
      return true;
    } catch (error) {
      const message = (error as Error).message;
      this.options.logger.warn({ err: message, mail_id: mail.id }, 'mail not sent; will retry');
      await deferFailed(this.db, mail.id, message, retryDelayMs(mail.attempts));
      return false;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.pending = false;
      let sent = 0;
      try {
        sent = await this.sendOnce();
      } catch (error) {
        this.options.logger.error({ err: error }, 'mail relay pass failed');
      }
      if (sent >= BATCH || this.pending) continue;
      // stop() may have come during the pass, when there was no sleep to wake yet.
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs ?? 1000);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }
}
